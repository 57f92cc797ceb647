using Diffusion.Runtime;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>A new run that starts from an exported model's weights instead of random ones (<c>--init-from</c>).</summary>
[Collection(nameof(ProcessWideTorchState))]
public class WarmStartTests
{
    private static TrainingRun UNetRun(long steps, ulong seed, IObjective? objective = null) =>
        TrainingRun.Create(TinyImages.Spec, TinyImages.Load(), objective ?? DdpmObjective.Create(100), TinyImages.UNet(conditional: false),
            TinyRuns.Options(steps) with { BatchSize = 8, Seed = seed });

    /// <summary>Trains a few steps and exports the moving average, as <c>diffusion-train export</c> does.</summary>
    private static (string Onnx, float[] EmaWeights) ExportedModel(TempFolder folder)
    {
        _ = TinyRuns.Ring; // one libtorch thread
        using var trainer = Training.Trainer.Start(UNetRun(4, seed: 3), TinyImages.Load(), folder.File("source"));
        Assert.Equal(TrainingOutcome.Completed, trainer.Train().Outcome);
        string onnx = folder.File("model.onnx");
        CheckpointExport.ToOnnx(trainer.CheckpointPath, onnx);
        return (onnx, TinyRuns.Weights(trainer.EmaModel));
    }

    [Fact]
    public void ANewRunStartsWithTheExportedWeightsInBothTheNetworkAndItsAverage()
    {
        using var folder = new TempFolder();
        var (onnx, exported) = ExportedModel(folder);
        var run = UNetRun(6, seed: 11);
        var data = TinyImages.Load();

        using var cold = Training.Trainer.Start(run, data, folder.File("cold"));
        Assert.NotEqual(exported, TinyRuns.Weights(cold.Model));

        using var warm = Training.Trainer.Start(run, data, folder.File("warm"), warmStart: WarmStart.Read(onnx, run));
        Assert.Equal(exported, TinyRuns.Weights(warm.Model));
        Assert.Equal(exported, TinyRuns.Weights(warm.EmaModel));
        var end = warm.Train();
        Assert.Equal(TrainingOutcome.Completed, end.Outcome);
        Assert.True(double.IsFinite(end.Loss!.Value));
        Assert.NotEqual(exported, TinyRuns.Weights(warm.Model));
    }

    [Fact]
    public void AModelTrainedForAnotherScheduleOrArchitectureIsRefusedByName()
    {
        using var folder = new TempFolder();
        var (onnx, _) = ExportedModel(folder);

        var otherSchedule = Assert.Throws<DiffusionException>(() => WarmStart.Read(onnx, UNetRun(1, 0, DdpmObjective.Create(50))));
        Assert.Contains("num_train_timesteps = 100, but this run trains with 50", otherSchedule.Message);

        var conditional = TrainingRun.Create(TinyImages.Spec, TinyImages.Load(), DdpmObjective.Create(100), TinyImages.UNet(conditional: true), TinyRuns.Options(1) with { BatchSize = 8, ClassConditional = true });
        var classes = Assert.Throws<DiffusionException>(() => WarmStart.Read(onnx, conditional));
        Assert.Contains("num_classes = 0, but this run trains with 3", classes.Message);

        var other = TrainingRun.Create(TinyImages.Spec, TinyImages.Load(), DdpmObjective.Create(100), TinyImages.UNet(conditional: false, baseChannels: 8),
            TinyRuns.Options(1) with { BatchSize = 8 });
        var architecture = Assert.Throws<DiffusionException>(() => WarmStart.Read(onnx, other));
        Assert.Contains("is a UNet of another architecture", architecture.Message);
    }

    [Fact]
    public void AModelExportedAsAnotherPredictionStartsTheRunFromItsNetworksWeightsWithANote()
    {
        using var folder = new TempFolder();
        var (onnx, exported) = ExportedModel(folder);
        string asSample = folder.File("sample.onnx");
        CheckpointExport.ToOnnx(folder.File(Path.Combine("source", Training.Trainer.CheckpointFileName)), asSample, prediction: Runtime.Denoising.PredictionType.Sample);
        var run = UNetRun(1, 0);

        var warmStart = WarmStart.Read(asSample, run);

        Assert.Contains("outputs prediction_type sample and this run trains epsilon", Assert.Single(warmStart.Notes));
        Assert.Empty(WarmStart.Read(onnx, run).Notes);
        using var warm = Training.Trainer.Start(run, TinyImages.Load(), folder.File("warm"), warmStart: warmStart);
        Assert.Equal(exported, TinyRuns.Weights(warm.Model));
    }

    [Fact]
    public void AMissingOrForeignFileIsNamed()
    {
        using var folder = new TempFolder();
        var run = UNetRun(1, 0);
        Assert.Contains("does not exist", Assert.Throws<DiffusionModelException>(() => WarmStart.Read(folder.File("none.onnx"), run)).Message);
        File.WriteAllText(folder.File("text.onnx"), "not a model");
        Assert.Contains("is not an ONNX model", Assert.Throws<DiffusionModelException>(() => WarmStart.Read(folder.File("text.onnx"), run)).Message);
    }
}
