namespace Diffusion.Runtime.Models;

/// <summary>How to load a model.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>
    /// <c>auto</c> (CUDA when it loads, else the CPU, saying why), <c>cpu</c>, <c>cuda</c> or
    /// <c>cuda:N</c> (an error when CUDA cannot be used).
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>Threads of the CPU provider's intra-op pool; null lets ONNX Runtime choose.</summary>
    public int? Threads { get; init; }

    /// <summary>A scheduler config file that overrides the embedded one and any beside the model.</summary>
    public string? SchedulerConfigPath { get; init; }

    /// <summary>
    /// Where the CUDA execution provider library is; null looks for
    /// <c>libonnxruntime_providers_cuda.so</c> next to the application.
    /// </summary>
    public string? CudaProviderPath { get; init; }

    /// <summary>Receives one-line notices, such as why <c>auto</c> fell back to the CPU.</summary>
    public Action<string>? Log { get; init; }
}
