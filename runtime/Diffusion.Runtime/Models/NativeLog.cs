using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Runtime.Models;

/// <summary>
/// Creates ONNX Runtime's process-wide environment with a logging callback, so its native error
/// messages reach us instead of the process's stderr: the loader's reason for a CUDA provider that
/// cannot load (e.g. <c>libcublasLt.so.13: cannot open shared object file</c>) lives only there.
/// When the application created the environment first, its own logging stays in place.
/// </summary>
internal static class NativeLog
{
    private static readonly Lock Gate = new();

    // Held in a static field: the native side keeps the function pointer for the life of the process.
    private static readonly DOrtLoggingFunction Callback = OnLog;

    [ThreadStatic] private static string? _lastError;

    /// <summary>Creates the environment once, before the first session of the process.</summary>
    public static void EnsureEnvironment()
    {
        lock (Gate)
        {
            if (OrtEnv.IsCreated) return;
            var options = new EnvironmentCreationOptions
            {
                logId = "Diffusion.Runtime",
                logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
                loggingFunction = Callback,
            };
            OrtEnv.CreateInstanceWithOptions(ref options);
        }
    }

    /// <summary>The last error ONNX Runtime logged on this thread since the previous call, or null.</summary>
    public static string? TakeLastError()
    {
        string? error = _lastError;
        _lastError = null;
        return error;
    }

    private static void OnLog(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        if (severity >= OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR) _lastError = message;
    }
}
