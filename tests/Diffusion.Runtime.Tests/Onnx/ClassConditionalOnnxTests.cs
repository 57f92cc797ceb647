using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// A class-conditional mixture model (label k keeps component k, the null label K the whole
/// mixture) samples component k when given class k, and the mixture when given no class.
/// </summary>
public sealed class ClassConditionalOnnxTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly OnnxDiffusionModel _model;

    public ClassConditionalOnnxTests() =>
        _model = OnnxMixtures.Load(OnnxMixtures.Cases[0].Save(_folder.File("conditional.onnx"), classConditional: true));

    public void Dispose()
    {
        _model.Dispose();
        _folder.Dispose();
    }

    private float[] Generate(int? classLabel) => Generator.Generate(_model, new GenerationOptions
    {
        Sampler = "ddim", Steps = 100, Count = 300, Seed = 8, ClassLabels = classLabel is { } k ? [k] : null, Spacing = TimestepSpacing.Karras,
    }).Data;

    [Fact]
    public void ModelDeclaresItsClasses()
    {
        Assert.NotNull(_model.ClassLabelsInput);
        Assert.Equal(3, _model.Config.NumClasses);
        Assert.Equal(3, _model.Config.NullClassLabel);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ClassKDrawsComponentK(int k) =>
        // One component of 300 samples: three standard errors of its mean and variance.
        MixtureStatistics.AssertMatches(OnnxMixtures.Mixture.Component(k), Generate(k),
            weightTolerance: 1e-9, meanTolerance: 0.04, varianceRelTolerance: 0.25);

    [Fact]
    public void NoClassDrawsTheWholeMixtureThroughTheNullLabel() =>
        MixtureStatistics.AssertMatches(OnnxMixtures.Mixture, Generate(null), weightTolerance: 0.09, meanTolerance: 0.07, varianceRelTolerance: 0.5);

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void ClassOutOfRangeIsRefused(int label)
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => Generate(label));
        Assert.Contains($"class label {label} is out of range: this model has classes 0 to 2", e.Message);
    }

    private OnnxDiffusionModel WithoutNullLabel()
    {
        string configPath = _folder.File("no-null-label.json");
        File.WriteAllText(configPath, (_model.Config with { NullClassLabel = null }).ToJson());
        return OnnxDiffusionModel.Load(_model.ModelPath, new ModelLoadOptions { Device = "cpu", SchedulerConfigPath = configPath });
    }

    [Fact]
    public void NoClassAndNoNullLabelAsksForAClass()
    {
        using var model = WithoutNullLabel();

        var e = Assert.ThrowsAny<DiffusionException>(() => Generator.Generate(model, new GenerationOptions { Steps = 5, Count = 2 }));

        Assert.Contains("names no null_class_label: set GenerationOptions.ClassLabels", e.Message);
    }

    [Fact]
    public void DenoiserTakesClassesAndTheNullLabelOnly()
    {
        using (_model.CreateDenoiser(2, new long[] { 0, 3 }, CancellationToken.None)) { }
        var beyond = Assert.ThrowsAny<DiffusionException>(() => _model.CreateDenoiser(2, new long[] { 0, 4 }, CancellationToken.None));
        Assert.Equal("class label 4 is out of range: this model has classes 0 to 2 and the null label 3.", beyond.Message);

        // Without a null label, label K names no class.
        using var model = WithoutNullLabel();
        var noNull = Assert.ThrowsAny<DiffusionException>(() => model.CreateDenoiser(1, new long[] { 3 }, CancellationToken.None));
        Assert.Equal("class label 3 is out of range: this model has classes 0 to 2.", noNull.Message);
    }

    [Fact]
    public void DenoiserTakesOneLabelPerSample()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => _model.CreateDenoiser(3, new long[] { 0, 1 }, CancellationToken.None));
        Assert.Equal("2 class labels were given for a batch of 3: give one label per sample.", e.Message);
    }
}
