using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Schedules;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>EDM's churn raises the level before each Heun step by the factor 1 + gamma, on the times a model takes.</summary>
public class EdmSamplerTests
{
    [Fact]
    public void AModelWithIntegerTimestepsIsChurnedToWholeTimesAndEveryStepRisesByAboutTheChurnFactor()
    {
        var visited = new List<TimePoint>();
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["discrete"])
        {
            IntegerTimesteps = true,
            ProduceNaN = p => { visited.Add(p); return false; },
        };
        // gamma = min(S_churn / N, sqrt 2 - 1) = 0.2 on every level in [S_tmin, S_tmax].
        var settings = new SamplerSettings { SChurn = 2, STMin = 0.05, STMax = 50 };
        var options = new GenerationOptions { Sampler = "edm", Steps = 10, Count = 8, Seed = 3, Settings = settings };
        var samples = Generator.Generate(model, options);
        var path = Generator.PathFor(model, options);
        var schedule = model.Schedule;

        Assert.Equal(new EdmSampler().ModelEvaluations(10, settings), visited.Count);
        Assert.All(visited, p => Assert.Equal(Math.Round(p.Time), p.Time));
        Assert.All(samples.Data, v => Assert.True(float.IsFinite(v)));
        // Each step's first evaluation is at the churned level: above the path point, within a whole time of 1.2 times it.
        for (int i = 0; i < path.Length - 1; i++)
        {
            var (point, asked) = (path[i], visited[2 * i]);
            if (point.ScaledSigma < settings.STMin || point.ScaledSigma > settings.STMax) continue;
            double target = Math.Min(1.2 * point.ScaledSigma, schedule.MaxScaledSigma);
            double wholeTime = Math.Round(schedule.TimeOfScaledSigma(target), MidpointRounding.ToEven);
            Assert.Equal(schedule.At(wholeTime), asked);
            Assert.True(asked.ScaledSigma >= point.ScaledSigma, $"step {i}: churned to {asked.ScaledSigma:G4} below {point.ScaledSigma:G4}");
        }
    }
}
