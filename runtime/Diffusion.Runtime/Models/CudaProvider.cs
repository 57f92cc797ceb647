using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Diffusion.Runtime.Models;

/// <summary>
/// Explains why ONNX Runtime's CUDA execution provider library does not load, when ONNX Runtime's
/// own log is not ours to read (the application created its environment first): loads the
/// library itself and keeps the dynamic loader's reason.
/// </summary>
internal static partial class CudaProvider
{
    private const string Library = "libonnxruntime_providers_cuda.so";

    /// <summary>The loader's reason (e.g. <c>libcublasLt.so.13: cannot open shared object file</c>), or null when it is not known.</summary>
    public static string? WhyItDoesNotLoad()
    {
        if (!OperatingSystem.IsLinux()) return null;
        string? path = Candidates().FirstOrDefault(File.Exists);
        if (path is null)
            return $"{Library} is not beside the application: reference the package Microsoft.ML.OnnxRuntime.Gpu";
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException e)
        {
            var missing = MissingLibrary().Match(e.Message);
            return missing.Success ? missing.Value : e.Message;
        }
    }

    private static IEnumerable<string> Candidates()
    {
        string root = AppContext.BaseDirectory;
        yield return Path.Combine(root, Library);
        yield return Path.Combine(root, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", Library);
        yield return Path.Combine(root, "runtimes", "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "native", Library);
    }

    [GeneratedRegex(@"[^\s:/]+\.so[.0-9]*: cannot open shared object file[^\r\n]*")]
    private static partial Regex MissingLibrary();
}
