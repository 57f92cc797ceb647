using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Models;

namespace Diffusion.Cli.Tests;

/// <summary>
/// <c>--height</c> and <c>--width</c> on a fully convolutional model: a dummy whose <c>sample</c> input has
/// dynamic height and width, trained size 8 (its config's <c>sample_size</c>), sizes in multiples of 4.
/// </summary>
public sealed class SampleSizeTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public SampleSizeTests() => _model = SaveDynamicModel(_folder.File("dynamic.onnx"));

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

    /// <summary>eps(x, t) = x t / (t + 1), for any [N, 1, H, W], with its scheduler config and size multiple embedded.</summary>
    private static string SaveDynamicModel(string path)
    {
        var g = new OnnxModelBuilder("dynamic_size_dummy");
        var sample = g.Input("sample", ElementType.Float32, "batch", 1, "height", "width");
        var t = g.Input("timestep", ElementType.Float32, "batch");
        var scale = g.Node("Unsqueeze", [g.Div(t, g.Add(t, g.Constant(1f))), g.Constant(new long[] { 1, 2, 3 })]);
        g.Output(g.Mul(sample, scale), "out_sample", ElementType.Float32, "batch", 1, "height", "width");
        g.Metadata[SchedulerConfig.MetadataKey] = """
            { "_class_name": "DDIMScheduler", "num_train_timesteps": 1000, "beta_schedule": "linear", "in_channels": 1, "sample_size": 8 }
            """;
        g.Metadata[OnnxDiffusionModel.SampleSizeMultipleMetadataKey] = "4";
        g.Save(path);
        return path;
    }
}
