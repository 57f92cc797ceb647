using System.Diagnostics;
using Diffusion.Runtime.Generation;
using Diffusion.Training.Data.Toy;
using Diffusion.Training.Networks;
using Diffusion.Training.Objectives;
using Diffusion.Training.Training;
using Xunit.Abstractions;

namespace Diffusion.Training.Tests.Trainer;

public class RingEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public void MlpTrainedOnTheRingSamplesMostlyOnTheRing()
    {
        using var folder = new TempFolder();
        var dataset = TinyRuns.Ring with { ToyCount = 20_000 };
        var data = dataset.Load();
        var options = new TrainingOptions
        {
            Steps = 1500, BatchSize = 256, LearningRate = 3e-3, WarmupSteps = 50, EmaDecay = 0.995, Seed = 1,
            CheckpointEvery = 100_000, PreviewEvery = 0, LogEvery = 100,
        };
        var run = TrainingRun.Create(dataset, data, DdpmObjective.Create(), NetworkSpec.Mlp(new MlpDenoiserConfig()), options);
        using var trainer = Training.Trainer.Start(run, data, folder.Path);
        var clock = Stopwatch.StartNew();
        var result = trainer.Train();
        output.WriteLine($"{result.Step} steps in {clock.Elapsed.TotalSeconds:F1} s, last loss {result.Loss:F4}");
        output.WriteLine(File.ReadAllText(folder.File(Training.Trainer.LossLogFileName)));

        clock.Restart();
        var samples = Generator.Generate(trainer.DiffusionModel(), new GenerationOptions { Sampler = "ddim", Steps = 50, Count = 2000, Seed = 3 });
        double onRing = RingFraction(samples.Data, new RingOfGaussians());
        output.WriteLine($"sampled in {clock.Elapsed.TotalSeconds:F1} s; {onRing:P1} within 3 std of a component");
        Assert.True(onRing > 0.8, $"only {onRing:P1} of the samples lie within 3 std of a ring component");
    }

    internal static double RingFraction(float[] points, RingOfGaussians ring)
    {
        int near = 0, count = points.Length / 2;
        for (int i = 0; i < count; i++)
        {
            double x = points[2 * i], y = points[2 * i + 1];
            if (ring.Means.Any(m => Math.Sqrt((x - m.X) * (x - m.X) + (y - m.Y) * (y - m.Y)) <= 3 * ring.Std)) near++;
        }
        return (double)near / count;
    }
}
