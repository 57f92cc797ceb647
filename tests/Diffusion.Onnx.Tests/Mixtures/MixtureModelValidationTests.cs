using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Models;
using Diffusion.Onnx.Tests.Support;

namespace Diffusion.Onnx.Tests.Mixtures;

/// <summary>Options that cannot work are refused with a message naming the problem and the fix.</summary>
public sealed class MixtureModelValidationTests
{
    private static readonly GaussianMixtureModelOptions Valid = new() { SampleShape = [1, 2, 2] };

    public static TheoryData<string, GaussianMixtureModelOptions, string> InvalidOptions() => new()
    {
        { "int64 time on vp", Valid with { Scheduler = Configs.Vp, TimestepType = ElementType.Int64 }, "use a float timestep" },
        { "int64 time with scale", Valid with { Scheduler = new SchedulerConfig { TimestepScale = 2 }, TimestepType = ElementType.Int64 }, "timestep_scale must be 1" },
        { "sigma input on discrete", Valid with { Scheduler = new SchedulerConfig { TimestepInput = TimestepInput.Sigma } }, "use 'index'" },
        { "index input on ve", Valid with { Scheduler = Configs.Ve with { TimestepInput = TimestepInput.Index } }, "use 'sigma' or 'log_sigma'" },
        { "t input on vp only", Valid with { Scheduler = Configs.SubVp with { TimestepInput = TimestepInput.LogSigma } }, "use 't'" },
        { "shape disagrees with mixture", Valid with { SampleShape = [3, 1, 1] }, "make them agree" },
        { "float64 samples", Valid with { SampleType = ElementType.Float64 }, "use float32 or float16" },
        { "one step", Valid with { Scheduler = new SchedulerConfig { NumTrainTimesteps = 1 } }, "num_train_timesteps must lie in 2 to 100000" },
        { "trained betas count", Valid with { Scheduler = new SchedulerConfig { NumTrainTimesteps = 3, TrainedBetas = [0.1, 0.2] } }, "one beta per training step" },
        { "trained betas range", Valid with { Scheduler = new SchedulerConfig { NumTrainTimesteps = 2, TrainedBetas = [0.1, 1.0] } }, "betas must lie in (0, 1)" },
        { "beta range", Valid with { Scheduler = Configs.Discrete(betaStart: 0.02, betaEnd: 1e-4) }, "give beta_start <= beta_end" },
        { "ve range", Valid with { Scheduler = Configs.Ve with { SigmaMin = 5, SigmaMax = 1 } }, "0 < sigma_min < sigma_max" },
        { "negative scale", Valid with { Scheduler = Configs.Vp with { TimestepScale = -1 } }, "timestep_scale must be positive" },
        { "unknown schedule", Valid with { Scheduler = new SchedulerConfig { NoiseSchedule = "edm" } }, "use discrete, vp, subvp or ve" },
        { "clashing names", Valid with { OutputName = "sample" }, "distinct" },
        { "zero batch", Valid with { BatchSize = 0 }, "positive size" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsAreRefusedWithTheFix(string problem, GaussianMixtureModelOptions options, string fix)
    {
        var error = Assert.Throws<ArgumentException>(() => GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), options));
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
