using Microsoft.Extensions.Logging;

namespace Diffusion.Runtime.Diagnostics;

/// <summary>The runtime's log messages (source-generated, allocation-free when the level is off).</summary>
internal static partial class RuntimeLog
{
    /// <summary>The category every runtime message is logged under.</summary>
    public const string Category = "Diffusion.Runtime";

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "CUDA is not available, using the CPU: {Reason}.")]
    public static partial void CudaFallback(ILogger logger, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Loaded {ModelPath} on {Device} in {Milliseconds:F0} ms: sample {SampleShape}, config from {ConfigSource}.")]
    public static partial void ModelLoaded(ILogger logger, string modelPath, string device, double milliseconds, string sampleShape, string configSource);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug,
        Message = "Generated {Count} samples with {Sampler}, {Steps} steps ({Evaluations} model evaluations each) in {Milliseconds:F0} ms.")]
    public static partial void Generated(ILogger logger, int count, string sampler, int steps, int evaluations, double milliseconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Disposed {ModelPath}; {Running} model calls in flight were stopped.")]
    public static partial void ModelDisposed(ILogger logger, string modelPath, int running);
}
