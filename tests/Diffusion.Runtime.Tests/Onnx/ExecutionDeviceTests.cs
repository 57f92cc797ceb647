using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// Device choice on the NuGet ONNX Runtime (its CUDA execution provider is in the package, but
/// these machines have no CUDA libraries): the CPU always works; <c>auto</c> falls back to it with
/// one warning naming the library that is missing; <c>cuda</c> fails with the same reason.
/// </summary>
public sealed class ExecutionDeviceTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _modelPath;
    private readonly ListLoggerFactory _log = new();

    public ExecutionDeviceTests() => _modelPath = OnnxMixtures.Cases[0].Save(_folder.File("model.onnx"));

    public void Dispose() => _folder.Dispose();

    private OnnxDiffusionModel Load(string device) =>
        OnnxDiffusionModel.Load(_modelPath, new ModelLoadOptions { Device = device }, _log);

    private static void Samples(OnnxDiffusionModel model) =>
        Assert.Equal(4 * 2, Generator.Generate(model, new GenerationOptions { Steps = 5, Count = 4 }).Data.Length);

    [Fact]
    public void CpuWorksAndWarnsNothing()
    {
        using var model = Load("cpu");
        Assert.Equal("cpu", model.Device);
        Samples(model);
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void AutoWithoutCudaFallsBackToTheCpuInOneWarningNamingWhatIsMissing()
    {
        using var model = Load("auto");

        Assert.Equal("cpu", model.Device);
        Samples(model);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.StartsWith("CUDA is not available, using the CPU: the CUDA execution provider could not be loaded (", warning.Message);
        Assert.Matches(@"lib[a-zA-Z]+\.so[.0-9]*", warning.Message); // the loader names the missing library
        Assert.DoesNotContain('\n', warning.Message);
    }

    [Theory]
    [InlineData("cuda", "cuda:0")]
    [InlineData("CUDA:1", "cuda:1")]
    public void CudaWithoutTheLibrariesIsAModelErrorNamingTheCause(string device, string named)
    {
        var e = Assert.Throws<DiffusionModelException>(() => Load(device));
        Assert.StartsWith($"device {named} is not available: the CUDA execution provider could not be loaded (", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    [InlineData("gpu")]
    [InlineData("cuda:99999999999")]
    public void UnknownDeviceIsARequestErrorNamingTheMember(string device)
    {
        var e = Assert.Throws<DiffusionRequestException>(() => Load(device));
        Assert.Equal($"unknown device '{device}': set ModelLoadOptions.Device to auto, cpu, cuda or cuda:N.", e.Message);
        Assert.Equal("ModelLoadOptions.Device", e.Member);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(100_000)]
    public void ThreadsOutOfRangeIsARequestError(int threads)
    {
        var e = Assert.Throws<DiffusionRequestException>(() =>
            OnnxDiffusionModel.Load(_modelPath, new ModelLoadOptions { Device = "cpu", Threads = threads }));
        Assert.Equal("ModelLoadOptions.Threads", e.Member);
    }
}
