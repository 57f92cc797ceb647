using Diffusion.Runtime.IO;
using Diffusion.Runtime.Models;
using Diffusion.Torch.Optim;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>The diffusion-train command: a run, its resumption and export, and one-line errors with non-zero exits.</summary>
public class CliTests
{
    internal static void AssertOneLineError((int Code, string Out, string Error) result, string expected, int code = 1)
    {
        Assert.Equal(code, result.Code);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public void TrainResumeAndExportARingModel()
    {
        using var folder = new TempFolder();
        string[] common = ["--out", folder.Path, "--checkpoint-every", "10", "--preview-every", "20", "--preview-count", "100", "--preview-steps", "5", "--log-every", "10"];
        var first = CliProcess.Run(["train", "-d", "ring", "--steps", "20", "--hidden", "16", "--batch", "32", .. common]);
        Assert.True(first.Code == 0, first.Error);
        Assert.Contains("step 20/20", first.Error);
        Assert.True(File.Exists(folder.File("preview-0000020.png")));

        var resumed = CliProcess.Run(["train", "--resume", "--steps", "30", .. common]);
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Contains("resuming", resumed.Error);
        string checkpoint = folder.File("checkpoint.safetensors");
        Assert.Equal(30, CheckpointFile.Load(checkpoint).Step);
        // 2-D data's defaults: log-normal levels with the objective's own weighting.
        var levels = CheckpointFile.Load(checkpoint).Run.NoiseLevels;
        Assert.Equal((NoiseSampling.LogNormal, LossWeighting.Own), (levels.Sampling, levels.Weighting));

        AssertOneLineError(CliProcess.Run(["train", "--resume", "--lr", "1", .. common]), "--lr cannot be given with --resume");
        AssertOneLineError(CliProcess.Run(["train", "-d", "ring", .. common]), "already exists");

        string onnx = folder.File("exported/model.onnx");
        var export = CliProcess.Run("export", checkpoint, "--out", onnx);
        Assert.True(export.Code == 0, export.Error);
        using var model = OnnxDiffusionModel.Load(onnx);
        Assert.Equal(CheckpointFile.Load(checkpoint).Run.ModelConfig, model.Config);

        // A new run started from the exported model continues its EMA weights; --resume keeps its checkpoint's.
        AssertOneLineError(CliProcess.Run(["train", "--resume", "--init-from", onnx, .. common]), "--init-from cannot be given with --resume");
        using var continued = new TempFolder();
        var warm = CliProcess.Run("train", "-d", "ring", "--steps", "1", "--hidden", "16", "--batch", "32", "--init-from", onnx, "--lr-decay", "cosine",
            "--out", continued.Path, "--preview-every", "0");
        Assert.True(warm.Code == 0, warm.Error);
        Assert.Contains($"starting from the weights of '{onnx}'", warm.Error);
        Assert.Contains("(warm-up 100, cosine decay)", warm.Error);
        Assert.Equal(LearningRateDecay.Cosine, CheckpointFile.Load(continued.File("checkpoint.safetensors")).Run.Options.LearningRateDecay);
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--steps", "1", "--hidden", "32", "--init-from", onnx, "--out", folder.File("wider")),
            "in the file but [32");
    }

    [Fact]
    public void AClassConditionalUNetTrainsOnANpyDatasetWithLabels()
    {
        using var folder = new TempFolder();
        var data = TinyImages.Load(24);
        NpyFile.Write(folder.File("images.npy"), data.Data, data.Shape);
        NpyFile.Write(folder.File("labels.npy"), [.. data.Labels!.Select(l => (float)l)], [data.Count]);
        var result = CliProcess.Run("train", "-d", folder.File("images.npy"), "--labels", folder.File("labels.npy"), "--class-conditional",
            "--objective", "vp", "--channels", "4", "--channel-mult", "1,2", "--norm-groups", "2", "--steps", "4", "--batch", "8", "--threads", "1",
            "--out", folder.File("run"), "--preview-every", "4", "--preview-count", "3", "--preview-steps", "3");
        Assert.True(result.Code == 0, result.Error);
        var run = CheckpointFile.Load(folder.File("run/checkpoint.safetensors")).Run;
        Assert.Equal((TinyImages.Classes, TinyImages.Classes), (run.ModelConfig.NumClasses, run.ModelConfig.NullClassLabel));
        Assert.True(File.Exists(folder.File("run/preview-0000004.png")));
        // Images' defaults under a variance-preserving objective: uniform levels with min-SNR-5 weighting. Under EDM's
        // preconditioning the network keeps its own lambda, and the variance-exploding objectives their own weighting.
        Assert.Equal((NoiseSampling.Uniform, LossWeighting.MinSnr, 5.0), (run.NoiseLevels.Sampling, run.NoiseLevels.Weighting, run.NoiseLevels.Gamma));
        Assert.Contains("min-snr weighting (gamma 5)", result.Error);
        foreach (string[] options in (string[][])[["--objective", "vp", "--precondition", "edm"], ["--objective", "ve"]])
        {
            string output = folder.File($"run-{string.Join('-', options)}");
            var other = CliProcess.Run(["train", "-d", folder.File("images.npy"), .. options, "--channels", "4", "--channel-mult", "1,2",
                "--norm-groups", "2", "--steps", "1", "--batch", "8", "--threads", "1", "--out", output, "--preview-every", "0"]);
            Assert.True(other.Code == 0, other.Error);
            Assert.Equal(LossWeighting.Own, CheckpointFile.Load(Path.Combine(output, "checkpoint.safetensors")).Run.NoiseLevels.Weighting);
        }

        // 4x4 images do not fit a UNet of 4 levels (it halves the side three times).
        AssertOneLineError(CliProcess.Run("train", "-d", folder.File("images.npy"), "--channel-mult", "1,1,1,1", "--out", folder.File("run2")), "not divisible");
    }

    [Fact]
    public void SigtermSavesACheckpointBeforeExiting()
    {
        using var folder = new TempFolder();
        using var cli = CliProcess.Start("train", "-d", "ring", "--steps", "10000000", "--hidden", "16", "--batch", "32",
            "--out", folder.Path, "--checkpoint-every", "10000000", "--preview-every", "0", "--log-every", "50");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!cli.Error.Contains("step 50/", StringComparison.Ordinal) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Contains("step 50/", cli.Error);
        cli.Terminate();
        int code = cli.WaitForExit();
        Assert.True(code == 130, $"exit {code}: {cli.Error}");
        Assert.Contains("checkpoint saved", cli.Error);
        Assert.True(CheckpointFile.Load(folder.File("checkpoint.safetensors")).Step >= 50);
    }

    [Fact]
    public void BadInputIsOneLineAndANonZeroExit()
    {
        using var folder = new TempFolder();
        AssertOneLineError(CliProcess.Run("train", "-d", "nothing", "--out", folder.Path), "Unknown dataset 'nothing'");
        AssertOneLineError(CliProcess.Run("train", "-d", folder.File("missing.npy"), "--out", folder.Path), "does not exist");
        File.WriteAllText(folder.File("bad.npy"), "not a numpy file");
        AssertOneLineError(CliProcess.Run("train", "-d", folder.File("bad.npy"), "--out", folder.Path), "bad.npy");
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--class-conditional", "--out", folder.Path), "UNet");
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--objective", "edm", "--out", folder.Path), "unknown objective");
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--precondition", "input", "--sigma-data", "0", "--out", folder.Path), "(--sigma-data) must be positive and finite, got 0");
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--precondition", "karras", "--out", folder.Path), "unknown --precondition 'karras'");
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--lr-decay", "linear", "--out", folder.Path), "unknown --lr-decay 'linear': use constant or cosine");
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--sigma-data", "0.7", "--out", folder.Path), "--sigma-data only applies with --precondition input or edm");
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--precondition", "edm", "--prediction", "epsilon", "--out", folder.Path), "drop --prediction epsilon");
        AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--steps", "5", "--out", "/proc/diffusion-train-test"), "/proc/diffusion-train-test");
        AssertOneLineError(CliProcess.Run("train", "--resume", "--out", folder.Path), "does not exist");

        File.WriteAllBytes(folder.File("corrupt.safetensors"), [1, 2, 3]);
        AssertOneLineError(CliProcess.Run("export", folder.File("corrupt.safetensors"), "--out", folder.File("m.onnx")), "corrupt");
        Assert.False(File.Exists(folder.File("m.onnx")));
    }

    [Fact]
    public void ALossThatBlowsUpIsOneLineNamingTheStep()
    {
        using var folder = new TempFolder();
        var result = CliProcess.Run("train", "-d", "ring", "--steps", "50", "--hidden", "16", "--lr", "1e30", "--warmup", "0", "--grad-clip", "0",
            "--out", folder.Path, "--checkpoint-every", "1", "--preview-every", "0");
        Assert.Equal(3, result.Code);
        string error = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Matches("became (NaN|Infinity|-Infinity) at step [0-9]+", error);
        Assert.Contains("last good checkpoint", error);
    }
}
