using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Onnx.Schedulers;
using Diffusion.Onnx.Tests.Support;

namespace Diffusion.Onnx.Tests.Mixtures;

/// <summary>Options that cannot work are refused with a message naming the problem and the fix.</summary>
public sealed class MixtureModelValidationTests
{
    private static readonly GaussianMixtureModelOptions Valid = new() { SampleShape = [1, 2, 2] };

    public static TheoryData<string, GaussianMixtureModelOptions, string> InvalidOptions() => new()
    {
        { "int64 time on vp", Valid with { Schedule = NoiseScheduleOptions.Vp(), TimestepType = ElementType.Int64 }, "use a float timestep" },
        { "int64 time with scale", Valid with { Schedule = NoiseScheduleOptions.Discrete() with { TimestepScale = 2 }, TimestepType = ElementType.Int64 }, "timestep_scale must be 1" },
        { "sigma input on discrete", Valid with { Schedule = new NoiseScheduleOptions { TimestepInput = TimestepInput.Sigma } }, "use 'index'" },
        { "index input on ve", Valid with { Schedule = NoiseScheduleOptions.Ve() with { TimestepInput = TimestepInput.Index } }, "use 'sigma' or 'log_sigma'" },
        { "t input on vp only", Valid with { Schedule = NoiseScheduleOptions.SubVp() with { TimestepInput = TimestepInput.LogSigma } }, "use 't'" },
        { "shape disagrees with mixture", Valid with { SampleShape = [3, 1, 1] }, "make them agree" },
        { "float64 samples", Valid with { SampleType = ElementType.Float64 }, "use float32 or float16" },
        { "one step", Valid with { Schedule = new NoiseScheduleOptions { NumTrainTimesteps = 1 } }, "at least 2 steps" },
        { "trained betas count", Valid with { Schedule = new NoiseScheduleOptions { NumTrainTimesteps = 3, TrainedBetas = [0.1, 0.2] } }, "one beta per step" },
        { "trained betas range", Valid with { Schedule = new NoiseScheduleOptions { NumTrainTimesteps = 2, TrainedBetas = [0.1, 1.0] } }, "0 < beta < 1" },
        { "beta range", Valid with { Schedule = NoiseScheduleOptions.Discrete(betaStart: 0.02, betaEnd: 1e-4) }, "0 < beta_start <= beta_end < 1" },
        { "ve range", Valid with { Schedule = NoiseScheduleOptions.Ve(sigmaMin: 5, sigmaMax: 1) }, "0 < sigma_min < sigma_max" },
        { "negative scale", Valid with { Schedule = NoiseScheduleOptions.Vp() with { TimestepScale = -1 } }, "positive number" },
        { "clashing names", Valid with { OutputName = "sample" }, "distinct" },
        { "zero batch", Valid with { BatchSize = 0 }, "positive size" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsAreRefusedWithTheFix(string problem, GaussianMixtureModelOptions options, string fix)
    {
        var error = Assert.Throws<ArgumentException>(() => GaussianMixtureModel.Build(TestMixtures.Uneven.ToComponents(), options));
        Assert.True(error.Message.Contains(fix, StringComparison.Ordinal), $"{problem}: '{error.Message}' does not say '{fix}'");
    }

    [Fact]
    public void MixtureComponentsRefuseMismatchedCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => new MixtureComponents([[0.0, 1], [1.0, 0]], [0.1]));
        Assert.Contains("give one per component", error.Message);
    }

    [Fact]
    public void MixtureComponentsRefuseNonPositiveStd()
    {
        var error = Assert.Throws<ArgumentException>(() => new MixtureComponents([[0.0, 1]], [0]));
        Assert.Contains("positive", error.Message);
    }

    [Fact]
    public void MixtureComponentsNormaliseWeights()
    {
        var components = new MixtureComponents([[0.0], [1.0]], [1, 1], [1, 3]);
        Assert.Equal([0.25, 0.75], components.Weights);
    }
}
