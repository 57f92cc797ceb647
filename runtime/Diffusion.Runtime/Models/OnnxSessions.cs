using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Runtime.Models;

/// <summary>Opens ONNX Runtime sessions on the device the load options ask for; shared by every model the runtime loads.</summary>
internal static class OnnxSessions
{
    /// <summary>
    /// A session for <paramref name="modelFile"/> (fully optimised, sequential) on the requested
    /// device, and a description of the device chosen. A file ONNX Runtime cannot read is a
    /// <see cref="DiffusionException"/> naming it.
    /// </summary>
    public static (InferenceSession Session, string Device) Open(string modelFile, ModelLoadOptions options)
    {
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        string device = ExecutionDevice.Configure(sessionOptions, options);
        try
        {
            return (new InferenceSession(modelFile, sessionOptions), device);
        }
        catch (OnnxRuntimeException e)
        {
            throw new DiffusionException($"{modelFile} is not a valid ONNX model ({e.Message.Split('\n')[0].Trim()}): re-export it or check the file is complete.", e);
        }
    }
}
