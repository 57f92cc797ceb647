using Diffusion.Onnx.Tests.Support;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;
using Diffusion.Testing;

namespace Diffusion.Onnx.Tests.Schedules;

/// <summary>The betas and alpha_bar tables the graphs are built from (the runtime's) agree with the independent reference.</summary>
public sealed class DiscreteAlphaBarsTests
{
    [Theory]
    [InlineData("linear", 1e-4, 0.02)]
    [InlineData("scaled_linear", 0.00085, 0.012)]
    [InlineData("squaredcos_cap_v2", 1e-4, 0.02)]
    public void BetasAndAlphaBarsMatchTheReference(string name, double start, double end)
    {
        var schedule = Assert.IsType<DiscreteSchedule>(Configs.Discrete(name, start, end).CreateSchedule());

        var expected = ReferenceSchedules.Betas(name, 1000, start, end);

        Assert.Equal(expected.Length, schedule.Betas.Length);
        for (var i = 0; i < schedule.Betas.Length; i++)
            Assert.Equal(expected[i], schedule.Betas[i], 1e-15);
        Assert.Equal(ReferenceSchedules.AlphaBars(expected)[^1], schedule.AlphasCumprod[^1], 1e-15);
    }

    [Fact]
    public void TrainedBetasOverrideTheSchedule()
    {
        var config = new SchedulerConfig { NumTrainTimesteps = 3, TrainedBetas = [0.1, 0.2, 0.5] };
        var schedule = Assert.IsType<DiscreteSchedule>(config.CreateSchedule());
        Assert.Equal([0.1, 0.2, 0.5], schedule.Betas.ToArray());
        Assert.Equal([0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.5], schedule.AlphasCumprod.ToArray());
    }

    [Fact]
    public void AConfigKeepsItsTrainedBetasWhateverHappensToTheCallersArrayOrTheSchedules()
    {
        double[] betas = [0.1, 0.2, 0.5];
        var config = new SchedulerConfig { NumTrainTimesteps = 3, TrainedBetas = betas };
        betas[0] = 0.9;
        var schedule = Assert.IsType<DiscreteSchedule>(config.CreateSchedule());
        Assert.Equal([0.1, 0.2, 0.5], config.TrainedBetas);
        Assert.Equal(0.9, schedule.AlphasCumprod[0], 1e-15);
        Assert.Equal(new SchedulerConfig { NumTrainTimesteps = 3, TrainedBetas = [0.1, 0.2, 0.5] }, config);
    }
}
