using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Runtime.Models;

/// <summary>Opens ONNX Runtime sessions on the device the load options ask for; shared by every model the runtime loads.</summary>
internal static class OnnxSessions
{
    /// <summary>
    /// A session for <paramref name="modelFile"/> (fully optimised, sequential) on the requested
    /// device, and the device chosen. A file ONNX Runtime cannot read is a
    /// <see cref="DiffusionModelException"/> naming it.
    /// </summary>
    public static (InferenceSession Session, ExecutionDevice.Request Device) Open(string modelFile, ModelLoadOptions options, ILogger logger)
    {
        options.Validate();
        SessionOptions sessionOptions;
        try
        {
            NativeLog.EnsureEnvironment();
            sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new DiffusionModelException(
                "ONNX Runtime's native library could not be loaded: add the package Microsoft.ML.OnnxRuntime (CPU) or " +
                $"Microsoft.ML.OnnxRuntime.Gpu (CUDA) to the application ({(e.InnerException ?? e).Message.Split('\n')[0].Trim()}).", e);
        }
        using (sessionOptions)
        {
            foreach (var (key, value) in options.SessionConfigEntries ?? new Dictionary<string, string>())
            {
                try
                {
                    sessionOptions.AddSessionConfigEntry(key, value);
                }
                catch (OnnxRuntimeException e)
                {
                    throw new DiffusionRequestException($"ONNX Runtime refused the session config entry '{key}' = '{value}': {e.Message.Split('\n')[0].Trim()}",
                        nameof(ModelLoadOptions) + "." + nameof(ModelLoadOptions.SessionConfigEntries));
                }
            }
            var device = ExecutionDevice.Configure(sessionOptions, options, logger);
            try
            {
                return (new InferenceSession(modelFile, sessionOptions), device);
            }
            catch (OnnxRuntimeException e)
            {
                throw new DiffusionModelException($"{modelFile} is not a valid ONNX model ({e.Message.Split('\n')[0].Trim()}): re-export it or check the file is complete.", e);
            }
        }
    }
}
