using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Schedules;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>Restart sampling walks the path, climbs back to t_max K times from the point nearest t_min, and counts its evaluations.</summary>
public class RestartSamplerTests
{
    private static readonly SamplerSettings TwoRestarts = new() { Restarts = 2, RestartSteps = 5, RestartMin = 0.1, RestartMax = 2 };

    [Fact]
    public void RestartsClimbFromThePointNearestTMinToTMaxKTimes()
    {
        var visited = new List<TimePoint>();
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["discrete"])
        {
            IntegerTimesteps = true,
            ProduceNaN = p => { visited.Add(p); return false; },
        };
        var options = new GenerationOptions { Sampler = "restart", Steps = 20, Count = 8, Seed = 1, Settings = TwoRestarts };
        var samples = Generator.Generate(model, options);
        var path = Generator.PathFor(model, options);

        // Every evaluation is counted, and ModelEvaluations predicts the count: steps + K * restart steps.
        Assert.Equal(20 + 2 * 5, visited.Count);
        Assert.Equal(visited.Count, samples.ModelEvaluations);
        Assert.Equal(visited.Count, new RestartSampler().ModelEvaluations(20, TwoRestarts));
        // A model with integer timesteps is only ever asked at whole times, the restart interval included.
        Assert.All(visited, p => Assert.Equal(Math.Round(p.Time), p.Time));

        // The noise level rises exactly twice, each time from the path point nearest 0.1 up to about 2.
        var rises = Enumerable.Range(1, visited.Count - 1).Where(i => visited[i].ScaledSigma > visited[i - 1].ScaledSigma).ToList();
        Assert.Equal(2, rises.Count);
        var nearest = path.Take(path.Length - 1).MinBy(p => Math.Abs(Math.Log(p.ScaledSigma / 0.1)))!;
        foreach (int i in rises)
        {
            Assert.True(Math.Abs(visited[i].ScaledSigma / 2 - 1) < 0.02, $"restart top {visited[i].ScaledSigma:G4}, asked for 2");
            // The evaluation before a rise is the last one above the restart point.
            Assert.True(visited[i - 1].ScaledSigma > nearest.ScaledSigma);
        }
        // The first climb starts from the path point nearest t_min: the path's evaluations before it end just above it.
        int before = path.TakeWhile(p => p.ScaledSigma > nearest.ScaledSigma).Count();
        Assert.Equal(before, rises[0]);
        Assert.Equal(path.Take(before), visited.Take(before));
    }

    // One restart of two thirds of the path's steps: 12 steps are 20 evaluations; one step has no point to restart from.
    [Theory]
    [InlineData(12, 20)]
    [InlineData(6, 10)]
    [InlineData(15, 25)]
    [InlineData(1, 1)]
    public void ByDefaultOneRestartTakesTwoThirdsOfTheSteps(int steps, int evaluations)
    {
        int calls = 0;
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["vp"]) { ProduceNaN = _ => { calls++; return false; } };
        var samples = Generator.Generate(model, new GenerationOptions { Sampler = "restart", Steps = steps, Count = 4, Spacing = TimestepSpacing.Karras });
        Assert.Equal(evaluations, new RestartSampler().ModelEvaluations(steps, new SamplerSettings()));
        Assert.Equal(evaluations, calls);
        Assert.Equal(evaluations, samples.ModelEvaluations);
    }

    [Fact]
    public void ATopBelowEveryPathPointIsAClearError()
    {
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["ve"]);
        var e = Assert.Throws<DiffusionRequestException>(() => Generator.Generate(model, new GenerationOptions
        {
            Sampler = "restart", Steps = 3, Count = 4, Spacing = TimestepSpacing.Karras,
            Settings = new SamplerSettings { RestartMin = 0.001, RestartMax = 0.002 },
        }));
        Assert.Equal("SamplerSettings.RestartMax", e.Member);
        Assert.Contains("raise SamplerSettings.RestartMax or the step count", e.Message);
    }

    [Theory]
    [InlineData(0.5, 0.5, 1, 8, "SamplerSettings.RestartMin")]
    [InlineData(0.0, 2.0, 1, 8, "SamplerSettings.RestartMin")]
    [InlineData(0.1, double.PositiveInfinity, 1, 8, "SamplerSettings.RestartMin")]
    [InlineData(0.1, 2.0, -1, 8, "SamplerSettings.Restarts")]
    [InlineData(0.1, 2.0, 1, 0, "SamplerSettings.RestartSteps")]
    public void OutOfRangeSettingsNameTheMember(double min, double max, int restarts, int steps, string member)
    {
        var settings = new SamplerSettings { RestartMin = min, RestartMax = max, Restarts = restarts, RestartSteps = steps };
        var e = Assert.Throws<DiffusionRequestException>(settings.Validate);
        Assert.Equal(member, e.Member);
    }
}
