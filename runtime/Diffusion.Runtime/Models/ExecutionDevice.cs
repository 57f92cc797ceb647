using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Runtime.Models;

/// <summary>
/// Chooses the execution provider: CUDA through ONNX Runtime's plugin-EP mechanism (register the
/// provider library, then append its CUDA device), or the CPU.
/// </summary>
public static class ExecutionDevice
{
    /// <summary>File name of the CUDA execution provider plugin.</summary>
    public const string CudaProviderLibrary = "libonnxruntime_providers_cuda.so";

    private const string CudaEpName = "CUDAExecutionProvider";
    private static readonly Dictionary<string, string?> Registrations = new();

    /// <summary>A parsed <c>--device</c> value.</summary>
    /// <param name="Kind">auto, cpu or cuda.</param>
    /// <param name="Index">CUDA device index.</param>
    public readonly record struct Request(string Kind, int Index);

    /// <summary>Parses <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static Request Parse(string device)
    {
        string d = device.Trim().ToLowerInvariant();
        if (d is "auto" or "cpu" or "cuda") return new Request(d, 0);
        if (d.StartsWith("cuda:", StringComparison.Ordinal) &&
            int.TryParse(d.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return new Request("cuda", index);
        throw new DiffusionException($"unknown device '{device}': use auto, cpu, cuda or cuda:N.");
    }

    /// <summary>
    /// Configures <paramref name="session"/> for the requested device and returns a description
    /// of the device chosen. <c>auto</c> falls back to the CPU and logs one line saying why.
    /// </summary>
    public static string Configure(SessionOptions session, ModelLoadOptions options)
    {
        var request = Parse(options.Device);
        if (options.Threads is { } threads)
        {
            if (threads < 1) throw new DiffusionException($"threads must be at least 1, got {threads}.");
            session.IntraOpNumThreads = threads;
            session.InterOpNumThreads = 1;
        }
        if (request.Kind == "cpu") return "cpu";
        string? failure = TryAppendCuda(session, request.Index, options.CudaProviderPath);
        if (failure is null) return $"cuda:{request.Index}";
        if (request.Kind == "cuda") throw new DiffusionException($"device cuda:{request.Index} is not available: {failure}.");
        options.Log?.Invoke($"CUDA is not available, using the CPU: {failure}.");
        return "cpu";
    }

    /// <summary>Appends the CUDA provider for device <paramref name="index"/>; returns why it could not, or null.</summary>
    private static string? TryAppendCuda(SessionOptions session, int index, string? libraryPath)
    {
        string path = Path.GetFullPath(libraryPath ?? Path.Combine(AppContext.BaseDirectory, CudaProviderLibrary));
        if (!File.Exists(path))
        {
            // An ONNX Runtime built with CUDA inside (the NuGet Microsoft.ML.OnnxRuntime.Gpu package) needs no plugin.
            try
            {
                session.AppendExecutionProvider_CUDA(index);
                return null;
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException)
            {
                return $"the CUDA execution provider {path} is missing (build with -p:OnnxRuntimeCuda=true to fetch it)";
            }
        }
        string? registrationError = Register(path);
        if (registrationError is not null) return registrationError;
        var env = OrtEnv.Instance();
        var devices = env.GetEpDevices().Where(d => d.EpName == CudaEpName).ToList();
        if (index >= devices.Count)
            return devices.Count == 0 ? "the CUDA provider loaded but found no CUDA device" : $"there is no CUDA device {index} ({devices.Count} found)";
        session.AppendExecutionProvider(env, [devices[index]], new Dictionary<string, string>());
        return null;
    }

    /// <summary>Registers the provider library once per process; returns the failure, or null.</summary>
    private static string? Register(string path)
    {
        lock (Registrations)
        {
            if (Registrations.TryGetValue(path, out var known)) return known;
            string? error = null;
            try
            {
                OrtEnv.Instance().RegisterExecutionProviderLibrary("cuda@" + path, path);
            }
            catch (OnnxRuntimeException e)
            {
                error = $"cannot load the CUDA execution provider {path}: {e.Message.Trim()}";
            }
            Registrations[path] = error;
            return error;
        }
    }
}
