using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>How runs stop: on a NaN or infinite loss (keeping the last good checkpoint) and on cancellation (saving one).</summary>
public class StoppingTests
{
    [Fact]
    public void AnInjectedNaNStopsTrainingNamingTheStepAndKeepsTheLastGoodCheckpoint()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        var objective = new NaNAfter(DdpmObjective.Create(100), calls: 7);
        using var trainer = Training.Trainer.Start(TinyRuns.Run(data, TinyRuns.Options(20) with { CheckpointEvery = 5 }), data, folder.Path, objective);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.Equal(8, e.Step);
        Assert.Contains("NaN at step 8", e.Message);
        Assert.Contains("step 5", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var kept = CheckpointFile.Load(trainer.CheckpointPath);
        Assert.Equal(5, kept.Step);
        Assert.True(double.IsFinite(kept.Loss!.Value));
        Assert.All(kept.Weights.Values.SelectMany(w => w.ToFloats()), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void ALearningRateThatBlowsUpStopsAtTheFirstNonFiniteLoss()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        var options = TinyRuns.Options(20) with { LearningRate = 1e30, WarmupSteps = 0, GradClip = null, CheckpointEvery = 1 };
        using var trainer = Training.Trainer.Start(TinyRuns.Run(data, options), data, folder.Path);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.InRange(e.Step, 2, 5);
        var kept = CheckpointFile.Load(trainer.CheckpointPath);
        Assert.Equal(e.Step - 1, kept.Step);
        Assert.All(kept.Weights.Values.SelectMany(w => w.ToFloats()), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void CancellationSavesACheckpointAtTheStepReached()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        using var cancel = new CancellationTokenSource();
        using var trainer = Training.Trainer.Start(TinyRuns.Run(data, TinyRuns.Options(50)), data, folder.Path);
        var result = trainer.Train(new CancelAt(7, cancel), cancellation: cancel.Token);
        Assert.Equal(TrainingOutcome.Interrupted, result.Outcome);
        Assert.Equal(7, result.Step);
        Assert.Equal(7, CheckpointFile.Load(trainer.CheckpointPath).Step);
    }

    /// <summary>Multiplies the loss by NaN from call <c>calls + 1</c> on.</summary>
    private sealed class NaNAfter(IObjective inner, int calls) : IObjective
    {
        private int count;

        public string Name => inner.Name;

        public SchedulerConfig SchedulerConfig => inner.SchedulerConfig;

        public TrainingNoise Draw(ReadOnlySpan<long> shape, Generator generator) => inner.Draw(shape, generator);

        public Tensor Loss(IDenoisingNetwork network, Tensor x0, Tensor? classLabels, TrainingNoise noise) => Poison(inner.Loss(network, x0, classLabels, noise));

        public Tensor Loss(IDenoisingNetwork network, Tensor x0, Tensor? classLabels, Generator generator) => Poison(inner.Loss(network, x0, classLabels, generator));

        private Tensor Poison(Tensor loss) => ++count > calls ? loss * double.NaN : loss;
    }

    private sealed class CancelAt(long step, CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step) source.Cancel();
        }
    }
}
