using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// A seed fixes the samples of an ONNX model whatever the thread count, the run or the other
/// generations sharing the model; cancellation stops a run.
/// </summary>
public sealed class OnnxDeterminismTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _modelPath;

    public OnnxDeterminismTests() => _modelPath = OnnxMixtures.Case("vp score, t times 999").Save(_folder.File("model.onnx"));

    public void Dispose() => _folder.Dispose();

    private static GenerationOptions Options(ulong seed = 17) => new() { Sampler = "pc", Steps = 30, Count = 96, BatchSize = 32, Seed = seed };

    private float[] GenerateWithThreads(int threads)
    {
        using var model = OnnxDiffusionModel.Load(_modelPath, new ModelLoadOptions { Device = "cpu", Threads = threads });
        return Generator.Generate(model, Options()).Data;
    }

    [Fact]
    public void SameSeedGivesTheSameSamplesOnOneOrTwoThreadsAndAcrossRuns()
    {
        var oneThread = GenerateWithThreads(1);
        var twoThreads = GenerateWithThreads(2);
        var again = GenerateWithThreads(1);

        Assert.Equal(oneThread, twoThreads);
        Assert.Equal(oneThread, again);
        using var model = OnnxMixtures.Load(_modelPath);
        Assert.NotEqual(oneThread, Generator.Generate(model, Options(seed: 18)).Data);
    }

    [Fact]
    public void ConcurrentGenerationsOnOneModelEqualSequentialOnes()
    {
        using var model = OnnxMixtures.Load(_modelPath);
        var sequential = Enumerable.Range(0, 4).Select(i => Generator.Generate(model, Options((ulong)i)).Data).ToArray();

        var concurrent = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = Generator.Generate(model, Options((ulong)i)).Data);

        for (int i = 0; i < 4; i++) Assert.Equal(sequential[i], concurrent[i]);
    }

    [Fact]
    public void CancellingDuringARunEndsIt()
    {
        using var model = OnnxMixtures.Load(_modelPath);
        using var cancellation = new CancellationTokenSource();
        var reported = new List<GenerationProgress>();
        var progress = new SynchronousProgress(p =>
        {
            reported.Add(p);
            if (p.Step == 3) cancellation.Cancel();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => Generator.Generate(model, Options(), progress, cancellation.Token));

        Assert.Equal(3, reported.Count);
        Assert.Equal(1, reported[^1].Batch);
    }

    [Fact]
    public void CancellingFromAnotherThreadEndsALongRun()
    {
        using var model = OnnxMixtures.Load(_modelPath);
        using var cancellation = new CancellationTokenSource();
        using var cancelled = new ManualResetEventSlim();
        var options = Options() with { Steps = 1000 };
        int steps = 0;
        var progress = new SynchronousProgress(_ =>
        {
            if (Interlocked.Increment(ref steps) != 1) return;
            // Another thread cancels while the run is under way; the sampler waits until it has.
            new Thread(() => { cancellation.Cancel(); cancelled.Set(); }).Start();
            cancelled.Wait();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => Generator.Generate(model, options, progress, cancellation.Token));

        Assert.InRange(steps, 1, 2);
    }

    /// <summary>Reports on the sampler's thread, as it happens (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
