using Diffusion.Runtime.IO;
using Diffusion.Runtime.Models;

namespace Diffusion.Cli.Tests;

/// <summary>
/// <c>--height</c> and <c>--width</c> on a fully convolutional model (<see cref="DynamicSizeModel"/>: own size 8,
/// sizes in multiples of 4).
/// </summary>
public sealed class SampleSizeTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public SampleSizeTests() => _model = DynamicSizeModel.Save(_folder.File("dynamic.onnx"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task HeightAndWidthSetTheSampleShape()
    {
        string path = _folder.File("samples.npy");
        var result = await Cli.RunAsync("sample", "--model", _model, "--height", "12", "--width", "20", "--count", "3", "--steps", "4",
            "--out", path, "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.ToString());
        var array = NpyFile.Read(path);
        Assert.Equal([3, 1, 12, 20], array.Shape);
        Assert.All(array.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public async Task WithoutThemTheModelsOwnSizeIsUsed()
    {
        var info = await Cli.RunAsync("info", _model, "--device", "cpu");
        var resized = await Cli.RunAsync("info", _model, "--width", "16", "--device", "cpu");

        Assert.True(info.ExitCode == 0 && resized.ExitCode == 0, info + "\n" + resized);
        Assert.Contains("sample shape: [1, 8, 8]", info.Output);
        Assert.Contains("sample shape: [1, 8, 16]", resized.Output);
    }

    [Fact]
    public async Task ASizeOffTheMultipleIsAnErrorNamingTheFlagAndTheNearestSizes()
    {
        var result = await Cli.RunAsync("sample", "--model", _model, "--height", "10", "--out", _folder.File("x.npy"), "--device", "cpu");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--height 10 is not a multiple of 4", result.Error);
        Assert.Contains("use 8 or 12", result.Error);
        Assert.False(File.Exists(_folder.File("x.npy")));
    }

    [Fact]
    public async Task AFixedSizeModelRefusesAnotherSize()
    {
        var result = await Cli.RunAsync("sample", "--model", Cli.DemoModel, "--height", "4", "--out", _folder.File("y.npy"), "--device", "cpu");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("fixed height and width", result.Error);
        Assert.Contains("leave --height and --width unset", result.Error);
    }
}
