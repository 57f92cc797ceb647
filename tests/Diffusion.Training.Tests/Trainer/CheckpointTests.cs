using Diffusion.Runtime;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Data.Safetensors;
using Diffusion.Training.Networks;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

public class CheckpointTests
{
    private static string TrainAndSave(TempFolder folder, long steps = 12)
    {
        var data = TinyRuns.LoadRing();
        using var trainer = Training.Trainer.Start(TinyRuns.Run(data, TinyRuns.Options(steps)), data, folder.Path);
        trainer.Train();
        return trainer.CheckpointPath;
    }

    [Fact]
    public void ACheckpointRoundTripsEveryTensorAndTheRunDefinition()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        var run = TinyRuns.Run(data, TinyRuns.Options(12));
        using var trainer = Training.Trainer.Start(run, data, folder.Path);
        trainer.Train();
        var saved = trainer.CaptureCheckpoint();
        var loaded = CheckpointFile.Load(trainer.CheckpointPath);

        Assert.Equal(12, loaded.Step);
        Assert.Equal(12, loaded.OptimizerStep);
        Assert.Equal(saved.Sampler, loaded.Sampler);
        Assert.Equal(saved.Loss, loaded.Loss);
        Assert.Equal(run.ModelConfig, loaded.Run.ModelConfig);
        Assert.Equal(run.Options, loaded.Run.Options);
        Assert.Equal(run.Dataset, loaded.Run.Dataset);
        Assert.Equal(run.Network, loaded.Run.Network);
        Assert.Equal(run.Objective, loaded.Run.Objective);
        foreach (var (group, savedGroup, loadedGroup) in new[]
                 {
                     ("weights", saved.Weights, loaded.Weights), ("ema", saved.EmaWeights, loaded.EmaWeights),
                     ("m", saved.FirstMoments, loaded.FirstMoments), ("v", saved.SecondMoments, loaded.SecondMoments),
                 })
        {
            Assert.Equal(trainer.Model.Parameters.Count, loadedGroup.Count);
            foreach (var (name, tensor) in savedGroup)
            {
                Assert.Equal(tensor.Shape, loadedGroup[name].Shape);
                Assert.Equal(tensor.ToFloats(), loadedGroup[name].ToFloats());
            }
        }
        Assert.NotEqual(saved.Weights.First().Value.ToFloats(), saved.EmaWeights.First().Value.ToFloats());

        // The exported network carries the EMA weights by default and the raw ones on request.
        var (ema, _) = CheckpointExport.LoadNetwork(loaded);
        var (raw, config) = CheckpointExport.LoadNetwork(loaded, useEma: false);
        using (ema)
        using (raw)
        {
            Assert.Equal(TinyRuns.Weights(trainer.EmaModel), TinyRuns.Weights(ema));
            Assert.Equal(TinyRuns.Weights(trainer.Model), TinyRuns.Weights(raw));
            Assert.Equal(run.ModelConfig, config);
        }
    }

    [Fact]
    public void ATruncatedCheckpointIsReportedAsCorrupt()
    {
        using var folder = new TempFolder();
        string path = TrainAndSave(folder);
        byte[] bytes = File.ReadAllBytes(path);
        string truncated = folder.File("truncated.safetensors");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<DiffusionException>(() => CheckpointFile.Load(truncated));
        Assert.Contains("corrupt", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var missing = Assert.ThrowsAny<DiffusionException>(() => CheckpointFile.Load(folder.File("none.safetensors")));
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void ASafetensorsFileOfAnotherProgramIsNotACheckpoint()
    {
        using var folder = new TempFolder();
        string path = folder.File("weights.safetensors");
        SafetensorsFile.Write(path, [new("w", SafetensorsTensor.FromFloats([1f, 2f]))], new Dictionary<string, string> { ["format"] = "pt" });
        var e = Assert.ThrowsAny<DiffusionException>(() => CheckpointFile.Load(path));
        Assert.Contains("not a checkpoint", e.Message);
    }

    [Fact]
    public void ACheckpointWhoseWeightsDoNotFitItsNetworkIsRefusedOnResumeAndExport()
    {
        using var folder = new TempFolder();
        string path = TrainAndSave(folder);
        var checkpoint = CheckpointFile.Load(path);
        // The metadata now claims a wider MLP than the stored tensors hold.
        var wider = checkpoint with { Run = checkpoint.Run with { Network = NetworkSpec.Mlp(new MlpDenoiserConfig { HiddenWidth = 32, Depth = 2, TimeEmbeddingDim = 8 }) } };
        string tampered = folder.File("tampered.safetensors");
        CheckpointFile.Save(tampered, wider);

        var loaded = CheckpointFile.Load(tampered);
        using var resumeFolder = new TempFolder();
        var resume = Assert.ThrowsAny<DiffusionException>(() => Training.Trainer.Resume(loaded, TinyRuns.LoadRing(), resumeFolder.Path));
        Assert.Contains("another architecture", resume.Message);
        var export = Assert.ThrowsAny<DiffusionException>(() => CheckpointExport.ToOnnx(tampered, folder.File("model.onnx")));
        Assert.Contains("another architecture", export.Message);
        Assert.False(File.Exists(folder.File("model.onnx")));

        // Tensors of a network that is not there at all are named.
        var missing = checkpoint with { Weights = checkpoint.Weights.Where(w => !w.Key.StartsWith("out.", StringComparison.Ordinal)).ToDictionary() };
        CheckpointFile.Save(tampered, missing);
        var lacks = Assert.ThrowsAny<DiffusionException>(() => Training.Trainer.Resume(CheckpointFile.Load(tampered), TinyRuns.LoadRing(), resumeFolder.Path));
        Assert.Contains("lacks 'out.", lacks.Message);
    }

    [Fact]
    public void NonFiniteWeightsAreNeverWrittenOverAGoodCheckpoint()
    {
        using var folder = new TempFolder();
        string path = TrainAndSave(folder);
        byte[] good = File.ReadAllBytes(path);
        var checkpoint = CheckpointFile.Load(path);
        var (name, tensor) = checkpoint.Weights.First();
        float[] values = tensor.ToFloats();
        values[0] = float.NaN;
        var bad = checkpoint with { Weights = new Dictionary<string, SafetensorsTensor>(checkpoint.Weights) { [name] = SafetensorsTensor.FromFloats(values, tensor.Shape) } };
        var e = Assert.ThrowsAny<DiffusionException>(() => CheckpointFile.Save(path, bad));
        Assert.Contains("NaN", e.Message);
        Assert.Equal(good, File.ReadAllBytes(path));
    }

    [Fact]
    public void ANewRunRefusesToOverwriteAnExistingCheckpoint()
    {
        using var folder = new TempFolder();
        TrainAndSave(folder);
        var data = TinyRuns.LoadRing();
        var e = Assert.ThrowsAny<DiffusionException>(() => Training.Trainer.Start(TinyRuns.Run(data, TinyRuns.Options(5)), data, folder.Path));
        Assert.Contains("--resume", e.Message);
    }
}
