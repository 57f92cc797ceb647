using System.Text.Json.Nodes;
using Diffusion.Torch.Optim;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Data.Safetensors;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary><c>--lr-decay</c>: the rate every step of a run takes, its place in the checkpoint, and checkpoints older than it.</summary>
public class LearningRateDecayTests
{
    private static List<double> RatesOf(TrainingOptions options, TempFolder folder)
    {
        var data = TinyRuns.LoadRing();
        var rates = new List<double>();
        using var trainer = Training.Trainer.Start(TinyRuns.Run(data, options), data, folder.Path);
        Assert.Equal(TrainingOutcome.Completed, trainer.Train(new RecordRates(rates)).Outcome);
        return rates;
    }

    [Fact]
    public void ACosineRunTakesTheClosedFormRateAtEveryStepAndItsCheckpointSaysSo()
    {
        using var folder = new TempFolder();
        var options = TinyRuns.Options(12) with { LearningRateDecay = LearningRateDecay.Cosine, WarmupSteps = 3, LearningRate = 1e-2 };
        var rates = RatesOf(options, folder);

        // Linear warm-up over steps 1-3, then base (1 + cos(pi (k - 3) / 9)) / 2 down to 0 at step 12.
        double[] expected = [.. Enumerable.Range(1, 12).Select(k => k <= 3 ? 1e-2 * k / 3 : 1e-2 * 0.5 * (1 + Math.Cos(Math.PI * (k - 3) / 9)))];
        Assert.Equal(expected.Length, rates.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], rates[i], 1e-12);
        Assert.Equal(0, rates[^1]);

        var loaded = CheckpointFile.Load(Path.Combine(folder.Path, Training.Trainer.CheckpointFileName));
        Assert.Equal(LearningRateDecay.Cosine, loaded.Run.Options.LearningRateDecay);
    }

    [Fact]
    public void TheDefaultHoldsTheRateAfterWarmUp()
    {
        using var folder = new TempFolder();
        var rates = RatesOf(TinyRuns.Options(8) with { WarmupSteps = 2, LearningRate = 1e-2 }, folder);
        Assert.Equal([5e-3, 1e-2, 1e-2, 1e-2, 1e-2, 1e-2, 1e-2, 1e-2], rates);
    }

    [Fact]
    public void ACheckpointWrittenBeforeTheSettingExistedReadsAsConstant()
    {
        using var folder = new TempFolder();
        RatesOf(TinyRuns.Options(4) with { LearningRateDecay = LearningRateDecay.Cosine }, folder);
        string path = Path.Combine(folder.Path, Training.Trainer.CheckpointFileName);
        var content = SafetensorsFile.Read(path);
        var metadata = content.Metadata.ToDictionary();
        var options = JsonNode.Parse(metadata["training_options"])!.AsObject();
        Assert.True(options.Remove("learningRateDecay"), metadata["training_options"]);
        metadata["training_options"] = options.ToJsonString();
        string old = folder.File("old.safetensors");
        SafetensorsFile.Write(old, content.Names.Select(n => KeyValuePair.Create(n, content.Tensors[n])), metadata);

        var loaded = CheckpointFile.Load(old);
        Assert.Equal(LearningRateDecay.Constant, loaded.Run.Options.LearningRateDecay);
        Assert.Equal(CheckpointFile.Load(path).Run.Options with { LearningRateDecay = LearningRateDecay.Constant }, loaded.Run.Options);
    }

    /// <summary>Records each step's learning rate (the trainer reports synchronously, after every step).</summary>
    private sealed class RecordRates(List<double> rates) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => rates.Add(value.LearningRate);
    }
}
