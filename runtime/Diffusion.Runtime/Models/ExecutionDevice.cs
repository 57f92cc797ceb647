using Diffusion.Runtime.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Runtime.Models;

/// <summary>What <see cref="ModelLoadOptions.Device"/> can ask for.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when it loads, else the CPU (logging why once).</summary>
    Auto,

    /// <summary>ONNX Runtime's CPU execution provider.</summary>
    Cpu,

    /// <summary>ONNX Runtime's CUDA execution provider; an error when it cannot be used.</summary>
    Cuda,
}

/// <summary>
/// Chooses the execution provider of a session: ONNX Runtime's CUDA execution provider (in the
/// native package <c>Microsoft.ML.OnnxRuntime.Gpu</c>; it needs the CUDA and cuDNN libraries at
/// run time) or the CPU.
/// </summary>
public static class ExecutionDevice
{
    /// <summary>A parsed device: its kind and, for CUDA, the device index.</summary>
    /// <param name="Kind">Auto, CPU or CUDA.</param>
    /// <param name="Index">CUDA device index.</param>
    public readonly record struct Request(DeviceKind Kind, int Index)
    {
        /// <inheritdoc />
        public override string ToString() => Kind switch
        {
            DeviceKind.Cuda => $"cuda:{Index}",
            DeviceKind.Cpu => "cpu",
            _ => "auto",
        };
    }

    /// <summary>Parses <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive).</summary>
    /// <exception cref="DiffusionRequestException">Anything else.</exception>
    public static Request Parse(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        string d = device.Trim().ToLowerInvariant();
        switch (d)
        {
            case "auto": return new Request(DeviceKind.Auto, 0);
            case "cpu": return new Request(DeviceKind.Cpu, 0);
            case "cuda": return new Request(DeviceKind.Cuda, 0);
        }
        if (d.StartsWith("cuda:", StringComparison.Ordinal) &&
            int.TryParse(d.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index <= 1024)
            return new Request(DeviceKind.Cuda, index);
        throw new DiffusionRequestException($"unknown device '{device}': set ModelLoadOptions.Device to auto, cpu, cuda or cuda:N.",
            nameof(ModelLoadOptions) + "." + nameof(ModelLoadOptions.Device));
    }

    /// <summary>
    /// Configures <paramref name="session"/> for the requested device and returns the device chosen.
    /// <c>auto</c> falls back to the CPU and logs one warning saying what is missing.
    /// </summary>
    internal static Request Configure(SessionOptions session, ModelLoadOptions options, ILogger logger)
    {
        var request = Parse(options.Device);
        if (options.Threads is { } threads)
        {
            session.IntraOpNumThreads = threads;
            session.InterOpNumThreads = 1;
        }
        if (request.Kind == DeviceKind.Cpu) return request;
        var cuda = new Request(DeviceKind.Cuda, request.Index);
        string? failure = TryAppendCuda(session, request.Index);
        if (failure is null) return cuda;
        if (request.Kind == DeviceKind.Cuda)
            throw new DiffusionModelException($"device {cuda} is not available: {failure}.");
        RuntimeLog.CudaFallback(logger, failure);
        return new Request(DeviceKind.Cpu, 0);
    }

    /// <summary>Appends the CUDA provider for device <paramref name="index"/>; returns why it could not, or null.</summary>
    private static string? TryAppendCuda(SessionOptions session, int index)
    {
        NativeLog.TakeLastError();
        try
        {
            session.AppendExecutionProvider_CUDA(index);
            return null;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            // The exception only says "Failed to load shared library"; ONNX Runtime's log names the
            // library the loader could not find ("... with error: libcublasLt.so.13: cannot open ...").
            string? logged = NativeLog.TakeLastError();
            int at = logged?.LastIndexOf("with error: ", StringComparison.Ordinal) ?? -1;
            string reason = at >= 0 ? logged![(at + "with error: ".Length)..] : CudaProvider.WhyItDoesNotLoad() ?? e.Message;
            reason = string.Join(' ', reason.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
            return $"the CUDA execution provider could not be loaded ({reason}); install CUDA 13 and cuDNN 9, or use the CPU";
        }
    }
}
