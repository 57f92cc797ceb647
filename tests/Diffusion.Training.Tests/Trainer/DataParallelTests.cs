using System.Globalization;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Data.Safetensors;
using Diffusion.Training.Tests.Export.Support;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>
/// Data-parallel training over c10d with real processes on 127.0.0.1: two ranks, each on half of every global
/// minibatch with averaged gradients, take the steps one process takes on the whole batch; a two-rank run resumes;
/// a rank that dies stops the job with a message instead of a hang.
/// </summary>
public class DataParallelTests
{
    private static string[] RingRun(string folder, long steps) =>
    [
        "train", "-d", "ring", "--hidden", "32", "--depth", "2", "--batch", "64", "--steps", steps.ToString(CultureInfo.InvariantCulture),
        "--seed", "3", "--warmup", "5", "--lr", "5e-3", "--preview-every", "0", "--log-every", "5", "--out", folder,
    ];

    private static Checkpoint Load(string folder) => CheckpointFile.Load(Path.Combine(folder, Training.Trainer.CheckpointFileName));

    /// <summary>The largest difference between two sets of named tensors, over the scale of the first.</summary>
    private static double RelativeDifference(IReadOnlyDictionary<string, SafetensorsTensor> a, IReadOnlyDictionary<string, SafetensorsTensor> b)
    {
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        double worst = 0;
        foreach (var (name, tensor) in a)
        {
            float[] x = tensor.ToFloats(), y = b[name].ToFloats();
            Assert.Equal(x.Length, y.Length);
            double scale = Math.Max(x.Max(v => Math.Abs(v)), 1e-3);
            for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]) / scale);
        }
        return worst;
    }

    [Fact]
    public void TwoRanksTakeTheStepsOfOneProcessOnTheSameGlobalBatch()
    {
        const long steps = 20;
        using var alone = new TempFolder();
        using var pair = new TempFolder();
        var one = CliProcess.Run(RingRun(alone.Path, steps));
        Assert.True(one.Code == 0, one.Error);
        var two = CliProcess.Run([.. RingRun(pair.Path, steps), "--nproc", "2"]);
        Assert.True(two.Code == 0, two.Error);
        Assert.Contains("2 ranks x 32", two.Error);
        Assert.Contains("in all-reduce", two.Error);

        var single = Load(alone.Path);
        var parallel = Load(pair.Path);
        Assert.Equal(steps, parallel.Step);
        Assert.Equal(single.Sampler, parallel.Sampler);
        Assert.Equal(single.OptimizerStep, parallel.OptimizerStep);
        // The same minibatches, times and noise: only the order of float additions differs (the mean over 64 rows
        // against the mean of two means over 32), so the parameters agree to float rounding carried through 20 Adam steps.
        Assert.InRange(RelativeDifference(single.Weights, parallel.Weights), 0, 1e-4);
        Assert.InRange(RelativeDifference(single.EmaWeights, parallel.EmaWeights), 0, 1e-4);
        Assert.InRange(RelativeDifference(single.FirstMoments, parallel.FirstMoments), 0, 1e-3);
        Assert.Equal(single.Loss!.Value, parallel.Loss!.Value, 1e-5);
        // Rank 0 alone wrote the loss curve, with the rows of the single process.
        string[] a = File.ReadAllLines(Path.Combine(alone.Path, Training.Trainer.LossLogFileName));
        string[] b = File.ReadAllLines(Path.Combine(pair.Path, Training.Trainer.LossLogFileName));
        Assert.Equal(a.Select(r => r.Split(',')[0]), b.Select(r => r.Split(',')[0]));
        for (int i = 1; i < a.Length; i++)
            Assert.Equal(double.Parse(a[i].Split(',')[1], CultureInfo.InvariantCulture), double.Parse(b[i].Split(',')[1], CultureInfo.InvariantCulture), 1e-4);
    }

    [Fact]
    public void ATwoRankRunResumedFromItsCheckpointEndsWhereAStraightOneEnds()
    {
        using var straight = new TempFolder();
        using var split = new TempFolder();
        var whole = CliProcess.Run([.. RingRun(straight.Path, 20), "--nproc", "2"]);
        Assert.True(whole.Code == 0, whole.Error);
        var first = CliProcess.Run([.. RingRun(split.Path, 10), "--nproc", "2"]);
        Assert.True(first.Code == 0, first.Error);
        var resumed = CliProcess.Run("train", "--resume", "--steps", "20", "--out", split.Path, "--nproc", "2");
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Contains("resuming", resumed.Error);

        var a = Load(straight.Path);
        var b = Load(split.Path);
        Assert.Equal(20, b.Step);
        Assert.Equal(a.Sampler, b.Sampler);
        // Both ranks reduce in the same order in both runs, so the continuation is exact.
        Assert.Equal(0, RelativeDifference(a.Weights, b.Weights));
        Assert.Equal(0, RelativeDifference(a.EmaWeights, b.EmaWeights));
    }

    [Fact]
    public void ARankThatDiesStopsTheOtherWithAMessageInsteadOfAHang()
    {
        using var folder = new TempFolder();
        using var job = CliProcess.Start([.. RingRun(folder.Path, 10_000_000), "--nproc", "2", "--dist-timeout", "120"]);
        int rank1 = WaitForRankPid(job, 1);
        // Once rank 0 reports steps, both ranks are inside the training loop.
        WaitFor(job, () => job.Error.Contains("step 5/", StringComparison.Ordinal));
        System.Diagnostics.Process.Start("kill", ["-KILL", rank1.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

        // Well within the 120 s Gloo timeout: the survivor sees the closed connection at its next all-reduce.
        int code = job.WaitForExit(timeoutSeconds: 60);
        Assert.NotEqual(0, code);
        Assert.Contains("rank 1 (pid", job.Error);
        Assert.Contains("killed by signal 9", job.Error);
        Assert.Contains("rank 0 of 2: the gradient all-reduce of step", job.Error);
        Assert.Contains("--resume", job.Error);
    }

    [Fact]
    public void ABatchThatDoesNotSplitOverTheRanksIsRefusedNamingTheFix()
    {
        using var folder = new TempFolder();
        string[] run = RingRun(folder.Path, 5);
        run[Array.IndexOf(run, "--batch") + 1] = "33";
        var result = CliProcess.Run([.. run, "--nproc", "2"]);
        Assert.Equal(1, result.Code);
        Assert.Contains("a batch of 33 does not split evenly over 2 ranks: choose a batch size that is a multiple of the world size (e.g. 34)", result.Error);
        Assert.Matches(@"rank [01] \(pid \d+\) exited with code 1", result.Error);
    }

    [Fact]
    public void LauncherOptionsAreRefusedWithNprocAndARankNeedsItsWorldSize()
    {
        using var folder = new TempFolder();
        CliTests.AssertOneLineError(CliProcess.Run([.. RingRun(folder.Path, 5), "--nproc", "2", "--rank", "0"]), "--nproc starts its own ranks on this machine, so --rank does not apply");
        CliTests.AssertOneLineError(CliProcess.Run([.. RingRun(folder.Path, 5), "--rank", "1"]), "needs both --rank and --world-size");
        CliTests.AssertOneLineError(CliProcess.Run([.. RingRun(folder.Path, 5), "--rank", "2", "--world-size", "2"]), "rank 2 is outside a world of 2");
    }

    private static int WaitForRankPid(CliProcess job, int rank)
    {
        string marker = $"rank {rank} of 2: pid ";
        WaitFor(job, () => job.Error.Contains(marker, StringComparison.Ordinal));
        string line = job.Error.Split('\n').First(l => l.StartsWith(marker, StringComparison.Ordinal));
        return int.Parse(line[marker.Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Polls the job's output until <paramref name="condition"/> holds; fails (with the output) if the job ends first.</summary>
    private static void WaitFor(CliProcess job, Func<bool> condition)
    {
        for (int i = 0; i < 1200 && !condition(); i++)
        {
            Assert.False(job.HasExited && !condition(), $"the job ended early: {job.Error}");
            Thread.Sleep(50);
        }
        Assert.True(condition(), $"the job did not get there in 60 s: {job.Error}");
    }
}
