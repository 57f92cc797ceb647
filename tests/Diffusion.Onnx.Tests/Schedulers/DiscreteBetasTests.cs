using Diffusion.Onnx.Schedulers;
using Diffusion.Testing;

namespace Diffusion.Onnx.Tests.Schedulers;

/// <summary>The builder's betas agree with the independent reference for every beta schedule.</summary>
public sealed class DiscreteBetasTests
{
    [Theory]
    [InlineData(BetaSchedule.Linear, "linear", 1e-4, 0.02)]
    [InlineData(BetaSchedule.ScaledLinear, "scaled_linear", 0.00085, 0.012)]
    [InlineData(BetaSchedule.SquaredCosCapV2, "squaredcos_cap_v2", 1e-4, 0.02)]
    public void BetasAndAlphaBarsMatchTheReference(BetaSchedule schedule, string name, double start, double end)
    {
        var options = NoiseScheduleOptions.Discrete(schedule, 1000, start, end);

        var betas = DiscreteBetas.Of(options);
        var expected = ReferenceSchedules.Betas(name, 1000, start, end);

        Assert.Equal(expected.Length, betas.Length);
        for (var i = 0; i < betas.Length; i++)
            Assert.Equal(expected[i], betas[i], 1e-15);
        Assert.Equal(ReferenceSchedules.AlphaBars(expected)[^1], DiscreteBetas.CumulativeAlphas(betas)[^1], 1e-15);
    }

    [Fact]
    public void TrainedBetasOverrideTheSchedule()
    {
        var options = new NoiseScheduleOptions { NumTrainTimesteps = 3, TrainedBetas = [0.1, 0.2, 0.5] };
        Assert.Equal([0.1, 0.2, 0.5], DiscreteBetas.Of(options));
        Assert.Equal([0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.5], DiscreteBetas.CumulativeAlphas([0.1, 0.2, 0.5]));
    }
}
