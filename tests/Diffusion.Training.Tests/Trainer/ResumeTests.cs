using Diffusion.Training.Checkpoints;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>Training 2N steps equals training N, saving, resuming and training N more, bit for bit.</summary>
public class ResumeTests
{
    internal static void AssertResumeIsExact(Func<long, TrainingRun> runOf, Data.Dataset data, long n)
    {
        using var straightFolder = new TempFolder();
        using var straight = Training.Trainer.Start(runOf(2 * n), data, straightFolder.Path);
        straight.Train();

        using var splitFolder = new TempFolder();
        using (var first = Training.Trainer.Start(runOf(n), data, splitFolder.Path))
        {
            Assert.Equal(TrainingOutcome.Completed, first.Train().Outcome);
        }
        var checkpoint = CheckpointFile.Load(Path.Combine(splitFolder.Path, Training.Trainer.CheckpointFileName));
        Assert.Equal(n, checkpoint.Step);
        using var resumed = Training.Trainer.Resume(checkpoint, data, splitFolder.Path, checkpoint.Run.Options with { Steps = 2 * n });
        Assert.Equal(n, resumed.Step);
        var end = resumed.Train();
        Assert.Equal(2 * n, end.Step);

        Assert.Equal(TinyRuns.Weights(straight.Model), TinyRuns.Weights(resumed.Model));
        Assert.Equal(TinyRuns.Weights(straight.EmaModel), TinyRuns.Weights(resumed.EmaModel));
        var a = straight.CaptureCheckpoint();
        var b = resumed.CaptureCheckpoint();
        Assert.Equal(a.OptimizerStep, b.OptimizerStep);
        Assert.Equal(a.Sampler, b.Sampler);
        Assert.Equal(a.Loss, b.Loss);
        foreach (var (name, m) in a.FirstMoments)
        {
            Assert.Equal(m.ToFloats(), b.FirstMoments[name].ToFloats());
            Assert.Equal(a.SecondMoments[name].ToFloats(), b.SecondMoments[name].ToFloats());
        }
        // The loss curve of the resumed run continues the first session's rows, ending where the straight run's ends.
        string[] straightRows = File.ReadAllLines(Path.Combine(straightFolder.Path, Training.Trainer.LossLogFileName));
        string[] splitRows = File.ReadAllLines(Path.Combine(splitFolder.Path, Training.Trainer.LossLogFileName));
        long[] steps = [.. splitRows.Skip(1).Select(r => long.Parse(r.Split(',')[0]))];
        Assert.Equal(steps.Order().Distinct(), steps);
        Assert.Contains(n, steps);
        Assert.Equal(straightRows[^1].Split(',')[..2], splitRows[^1].Split(',')[..2]);
    }

    [Fact]
    public void ResumingAnMlpRunContinuesExactly()
    {
        var data = TinyRuns.LoadRing();
        AssertResumeIsExact(steps => TinyRuns.Run(data, TinyRuns.Options(steps)), data, 15);
    }

    [Fact]
    public void TheSameSeedTrainsTheSameModelAndAnotherSeedAnotherOne()
    {
        var data = TinyRuns.LoadRing();
        float[] Train(ulong seed)
        {
            using var folder = new TempFolder();
            using var trainer = Training.Trainer.Start(TinyRuns.Run(data, TinyRuns.Options(5) with { Seed = seed }), data, folder.Path);
            trainer.Train();
            return TinyRuns.Weights(trainer.Model);
        }
        Assert.Equal(Train(3), Train(3));
        Assert.NotEqual(Train(3), Train(4));
    }
}
