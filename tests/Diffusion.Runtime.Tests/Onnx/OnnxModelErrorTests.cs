using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>Every way a model, its files or the options can be wrong ends in one line naming the problem.</summary>
public class OnnxModelErrorTests
{
    private static readonly OnnxMixtureCase Ddpm = OnnxMixtures.Cases[0];

    private static DiffusionException LoadFails(string path, ModelLoadOptions? options = null) =>
        OneLine(Assert.Throws<DiffusionException>(() => OnnxDiffusionModel.Load(path, options ?? new ModelLoadOptions { Device = "cpu" })));

    private static DiffusionException GenerateFails(GenerationOptions options)
    {
        using var folder = new TempFolder();
        using var model = OnnxMixtures.Load(Ddpm.Save(folder.File("model.onnx")));
        return OneLine(Assert.ThrowsAny<DiffusionException>(() => Generator.Generate(model, options)));
    }

    private static DiffusionException OneLine(DiffusionException e)
    {
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    // A graph declaring sample and timestep as given, its output the sample itself (or what `output` makes of it).
    private static string SaveGraph(TempFolder folder, ElementType sampleType, Dim[] sampleShape, ElementType timestepType, Dim[] timestepShape,
        Func<OnnxModelBuilder, string, string>? output = null, string sampleName = "sample")
    {
        var g = new OnnxModelBuilder();
        g.Metadata[SchedulerConfig.MetadataKey] = new SchedulerConfig().ToJson();
        var sample = g.Input(sampleName, sampleType, sampleShape);
        g.Input("timestep", timestepType, timestepShape);
        g.Output(output?.Invoke(g, sample) ?? sample, "out_sample", sampleType, sampleShape);
        string path = folder.File("graph.onnx");
        g.Save(path);
        return path;
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        using var folder = new TempFolder();
        var e = LoadFails(folder.File("nowhere.onnx"));
        Assert.Contains("nowhere.onnx does not exist", e.Message);
    }

    [Fact]
    public void FolderWithoutAModelIsNamed()
    {
        using var folder = new TempFolder();
        var e = LoadFails(folder.Path);
        Assert.Contains("holds neither model.onnx nor unet/model.onnx", e.Message);
    }

    [Fact]
    public void RandomBytesAreNotAModel()
    {
        using var folder = new TempFolder();
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(folder.File("noise.onnx"), bytes);

        var e = LoadFails(folder.File("noise.onnx"));

        Assert.Contains("noise.onnx is not a valid ONNX model", e.Message);
        Assert.Contains("check the file is complete", e.Message);
    }

    [Fact]
    public void TruncatedModelIsNotAModel()
    {
        using var folder = new TempFolder();
        var whole = File.ReadAllBytes(Ddpm.Save(folder.File("whole.onnx")));
        File.WriteAllBytes(folder.File("half.onnx"), whole[..(whole.Length / 2)]);

        var e = LoadFails(folder.File("half.onnx"));

        Assert.Contains("half.onnx is not a valid ONNX model", e.Message);
    }

    [Theory]
    [InlineData("sample")]
    [InlineData("timestep")]
    public void MissingInputIsNamedWithTheInputsThereAre(string missing)
    {
        using var folder = new TempFolder();
        var options = missing == "sample" ? Ddpm.Options() with { SampleName = "x" } : Ddpm.Options() with { TimestepName = "t" };
        GaussianMixtureModel.Build(OnnxMixtures.Components(OnnxMixtures.Mixture), options).Save(folder.File("model.onnx"));

        var e = LoadFails(folder.File("model.onnx"));

        Assert.Contains($"has no input named '{missing}'", e.Message);
        Assert.Contains(missing == "sample" ? "x: float32 [batch, 2, 1, 1]" : "t: int64 [batch]", e.Message);
    }

    public static TheoryData<string, ElementType, Dim[], ElementType, Dim[], string> Unsupported() => new()
    {
        { "int32 sample", ElementType.Int32, ["batch", 2, 1, 1], ElementType.Float32, ["batch"], "'sample' must be float32 or float16 of rank 4" },
        { "rank-3 sample", ElementType.Float32, ["batch", 2, 1], ElementType.Float32, ["batch"], "'sample' must be float32 or float16 of rank 4" },
        { "rank-2 timestep", ElementType.Float32, ["batch", 2, 1, 1], ElementType.Float32, ["batch", 1], "shaped [N], [1] or a scalar" },
        { "bool timestep", ElementType.Float32, ["batch", 2, 1, 1], ElementType.Bool, ["batch"], "'timestep' must be float32, float16, float64, int32 or int64" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void UnsupportedTypesAndRanksAreRefused(string what, ElementType sampleType, Dim[] sampleShape, ElementType timestepType, Dim[] timestepShape, string expected)
    {
        using var folder = new TempFolder();
        var e = LoadFails(SaveGraph(folder, sampleType, sampleShape, timestepType, timestepShape));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: '{e.Message}' does not say '{expected}'");
    }

    [Fact]
    public void NoSchedulerConfigAnywhereListsTheKeysNeeded()
    {
        using var folder = new TempFolder();
        GaussianMixtureModel.Build(OnnxMixtures.Components(OnnxMixtures.Mixture), Ddpm.Options() with { EmbedSchedulerConfig = false })
            .Save(folder.File("model.onnx"));

        var e = LoadFails(folder.File("model.onnx"));

        Assert.Contains("no scheduler config for", e.Message);
        Assert.Contains("scheduler_config.json", e.Message);
        foreach (var key in new[] { "num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "prediction_type", "sigma_min", "beta_min" })
            Assert.Contains(key, e.Message);
    }

    [Fact]
    public void ExplicitConfigThatDoesNotExistIsNamed()
    {
        using var folder = new TempFolder();
        var e = LoadFails(Ddpm.Save(folder.File("model.onnx")), new ModelLoadOptions { Device = "cpu", SchedulerConfigPath = folder.File("missing.json") });
        Assert.Contains("missing.json does not exist", e.Message);
    }

    [Fact]
    public void NaNFromTheModelNamesTheStep()
    {
        using var folder = new TempFolder();
        // out = sample * (0 / 0): NaN whatever the input.
        string path = SaveGraph(folder, ElementType.Float32, ["batch", 2, 1, 1], ElementType.Int64, ["batch"],
            (g, sample) => g.Mul(sample, g.Div(g.Constant(0f), g.Constant(0f))));
        using var model = OnnxMixtures.Load(path);

        var e = OneLine(Assert.Throws<DiffusionException>(() =>
            Generator.Generate(model, new GenerationOptions { Sampler = "ddim", Steps = 7, Count = 2 })));

        Assert.Contains("NaN or infinity at step 1 of 7", e.Message);
    }

    [Fact]
    public void ClassLabelOnAnUnconditionalModelIsRefused()
    {
        var e = GenerateFails(new GenerationOptions { Steps = 5, Count = 2, ClassLabels = [1] });
        Assert.Contains("not class-conditional", e.Message);
    }

    [Fact]
    public void StepsBelowOneAreRefused() =>
        Assert.Contains("steps must be at least 1, got 0", GenerateFails(new GenerationOptions { Steps = 0, Count = 2 }).Message);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void EtaOutsideZeroToOneIsRefused(double eta) =>
        Assert.Contains("eta must lie in [0, 1]", GenerateFails(new GenerationOptions { Steps = 5, Count = 2, Settings = new SamplerSettings { Eta = eta } }).Message);

    [Fact]
    public void UnknownSamplerListsTheSamplers()
    {
        var e = GenerateFails(new GenerationOptions { Sampler = "dpm++", Steps = 5, Count = 2 });
        Assert.Contains("unknown sampler 'dpm++': use one of ddpm, ddim, euler, heun, pc, langevin", e.Message);
    }

    [Fact]
    public void UnknownSpacingListsTheSpacings()
    {
        var e = OneLine(Assert.Throws<DiffusionException>(() => TimestepSpacingNames.Parse("even")));
        Assert.Contains("unknown spacing 'even': use one of leading, trailing, linspace, karras, uniform", e.Message);
    }

    [Fact]
    public void GridSpacingOnAContinuousModelIsRefused()
    {
        using var folder = new TempFolder();
        using var model = OnnxMixtures.Load(OnnxMixtures.Case("vp score, t times 999").Save(folder.File("model.onnx")));
        var e = OneLine(Assert.Throws<DiffusionException>(() =>
            Generator.Generate(model, new GenerationOptions { Steps = 5, Count = 2, Spacing = TimestepSpacing.Leading })));
        Assert.Contains("use 'uniform' or 'karras'", e.Message);
    }
}
