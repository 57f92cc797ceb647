using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// Device choice: the CPU always works; <c>auto</c> falls back to it saying why in one line;
/// <c>cuda</c> fails with the same reason. This build of ONNX Runtime has no CUDA inside, so the
/// CUDA provider is a plugin library: missing, or (an empty file of its name) failing to load.
/// </summary>
public sealed class ExecutionDeviceTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _modelPath;
    private readonly List<string> _log = [];

    public ExecutionDeviceTests() => _modelPath = OnnxMixtures.Cases[0].Save(_folder.File("model.onnx"));

    public void Dispose() => _folder.Dispose();

    private string MissingProvider => Path.Combine(_folder.Path, "no-such-folder", ExecutionDevice.CudaProviderLibrary);

    // An empty file with the provider's name: the dynamic loader refuses it.
    private string FakeProvider
    {
        get
        {
            string path = Path.Combine(_folder.Path, "fake-cuda", ExecutionDevice.CudaProviderLibrary);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, []);
            return path;
        }
    }

    private OnnxDiffusionModel Load(string device, string? cudaProvider = null) =>
        OnnxDiffusionModel.Load(_modelPath, new ModelLoadOptions { Device = device, CudaProviderPath = cudaProvider, Log = _log.Add });

    private static void Samples(OnnxDiffusionModel model) =>
        Assert.Equal(4 * 2, Generator.Generate(model, new GenerationOptions { Steps = 5, Count = 4 }).Data.Length);

    [Fact]
    public void CpuWorksAndLogsNothing()
    {
        using var model = Load("cpu");
        Assert.Equal("cpu", model.Device);
        Samples(model);
        Assert.Empty(_log);
    }

    [Fact]
    public void AutoWithoutTheCudaProviderFallsBackToTheCpuInOneLine()
    {
        using var model = Load("auto", MissingProvider);

        Assert.Equal("cpu", model.Device);
        Samples(model);
        var line = Assert.Single(_log);
        Assert.StartsWith("CUDA is not available, using the CPU: ", line);
        Assert.Contains($"the CUDA execution provider {MissingProvider} is missing", line);
        Assert.DoesNotContain('\n', line);
    }

    [Theory]
    [InlineData("cuda", "cuda:0")]
    [InlineData("cuda:1", "cuda:1")]
    public void CudaWithoutTheProviderNamesTheCause(string device, string named)
    {
        var e = Assert.Throws<DiffusionException>(() => Load(device, MissingProvider));
        Assert.Contains($"device {named} is not available: the CUDA execution provider {MissingProvider} is missing", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AutoWithABrokenProviderFallsBackWithTheLoadersError()
    {
        string provider = FakeProvider;
        using var model = Load("auto", provider);

        Assert.Equal("cpu", model.Device);
        Samples(model);
        var line = Assert.Single(_log);
        Assert.StartsWith($"CUDA is not available, using the CPU: cannot load the CUDA execution provider {provider}: ", line);
        Assert.EndsWith($"{provider}: file too short.", line); // the dynamic loader's own words
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void CudaWithABrokenProviderFailsWithTheLoadersError()
    {
        string provider = FakeProvider;
        var e = Assert.Throws<DiffusionException>(() => Load("cuda", provider));
        Assert.StartsWith($"device cuda:0 is not available: cannot load the CUDA execution provider {provider}: ", e.Message);
        Assert.EndsWith($"{provider}: file too short.", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    [InlineData("gpu")]
    public void UnknownDeviceIsRefused(string device)
    {
        var e = Assert.Throws<DiffusionException>(() => Load(device));
        Assert.Equal($"unknown device '{device}': use auto, cpu, cuda or cuda:N.", e.Message);
    }
}
