using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Diffusion.Runtime.Tests.Generation;

/// <summary>The service-facing API: async and streaming generation, logging, errors a service can map.</summary>
public class PipelineTests
{
    private static ExactMixtureModel Model() => new(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["discrete"]);

    private static GenerationOptions Options(string sampler = "ddim") => new() { Sampler = sampler, Steps = 12, Count = 6, Seed = 5, BatchSize = 4 };

    [Theory]
    [InlineData("ddim")]
    [InlineData("ddpm")]
    [InlineData("heun")]
    public async Task GenerateAsyncEqualsGenerate(string sampler)
    {
        using var pipeline = new DiffusionPipeline(Model());
        var sync = pipeline.Generate(Options(sampler));
        var async = await pipeline.GenerateAsync(Options(sampler));
        Assert.Equal(sync.Data, async.Data);
    }

    [Fact]
    public async Task StreamingReportsEveryStepOfEveryBatchThenTheSamples()
    {
        using var pipeline = new DiffusionPipeline(Model());
        var events = new List<GenerationEvent>();
        await foreach (var e in pipeline.GenerateStreamAsync(Options(), previewEvery: 5)) events.Add(e);

        var steps = events.OfType<GenerationStep>().ToList();
        Assert.Equal(2 * 12, steps.Count); // 6 samples in batches of 4: two batches of 12 steps
        Assert.Equal(Enumerable.Range(1, 12).Concat(Enumerable.Range(1, 12)), steps.Select(s => s.Progress.Step));
        Assert.Equal([0, 4], steps.Select(s => s.FirstSample).Distinct());
        // Previews at steps 5 and 10 and at the last step of each batch, nowhere else.
        Assert.Equal([5, 10, 12, 5, 10, 12], steps.Where(s => s.Denoised is not null).Select(s => s.Progress.Step));
        var completed = Assert.IsType<GenerationCompleted>(events[^1]);
        Assert.Equal(pipeline.Generate(Options()).Data, completed.Samples.Data);
    }

    [Fact]
    public async Task TheLastPreviewOfDdimIsTheSampleItself()
    {
        // DDIM's last step lands on its x0 estimate (Song et al. 2021, eq. 12 with sigma = 0).
        using var pipeline = new DiffusionPipeline(Model());
        var options = Options() with { BatchSize = 6 };
        float[]? last = null;
        GeneratedSamples? samples = null;
        await foreach (var e in pipeline.GenerateStreamAsync(options, previewEvery: 100))
        {
            if (e is GenerationStep { Denoised: { } d }) last = d;
            if (e is GenerationCompleted c) samples = c.Samples;
        }
        Assert.Equal(samples!.Data, last);
    }

    [Fact]
    public async Task LeavingTheStreamEarlyCancelsTheGeneration()
    {
        var model = new CountingModel(Model()) { DelayPerCall = TimeSpan.FromMilliseconds(5) };
        using var pipeline = new DiffusionPipeline(model);
        await foreach (var e in pipeline.GenerateStreamAsync(Options() with { Steps = 200, BatchSize = 6 }))
            if (e is GenerationStep { Progress.Step: 3 }) break;
        // Leaving the loop awaited the generation's end. The stream lets the generation run at most
        // StreamLead steps ahead of its reader (plus the step in progress), however slow the reader
        // is, so it stopped long before its 200 steps, and stays stopped.
        int afterBreak = model.Calls;
        Assert.InRange(afterBreak, 3, 3 + DiffusionPipeline.StreamLead + 1);
        await Task.Delay(50);
        Assert.Equal(afterBreak, model.Calls);
    }

    [Fact]
    public async Task ASlowReaderHoldsTheGenerationBack()
    {
        var model = new CountingModel(Model());
        using var pipeline = new DiffusionPipeline(model);
        var seen = new List<(int Step, int Calls)>();
        await foreach (var e in pipeline.GenerateStreamAsync(Options() with { Steps = 60, BatchSize = 6 }))
        {
            if (e is not GenerationStep step) continue;
            await Task.Delay(2);
            seen.Add((step.Progress.Step, model.Calls));
        }
        // However far the model could run, it is never more than StreamLead + 1 steps ahead of what was read.
        Assert.Equal(60, seen.Count);
        Assert.All(seen, s => Assert.InRange(s.Calls - s.Step, 0, DiffusionPipeline.StreamLead + 1));
    }

    [Fact]
    public async Task BadRequestsFailTheTaskWithARequestErrorBeforeAnyModelCall()
    {
        var model = new CountingModel(Model());
        using var pipeline = new DiffusionPipeline(model);
        var e = await Assert.ThrowsAsync<DiffusionRequestException>(() => pipeline.GenerateAsync(Options() with { Steps = 0 }));
        Assert.Equal("GenerationOptions.Steps", e.Member);
        Assert.Equal(0, model.Calls);
    }

    [Fact]
    public void NaNFromTheModelIsAModelError()
    {
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["discrete"]) { ProduceNaN = p => p.Time < 500 };
        using var pipeline = new DiffusionPipeline(model);
        var e = Assert.Throws<DiffusionModelException>(() => pipeline.Generate(Options()));
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void EachGenerationIsLoggedWithItsSettings()
    {
        var log = new ListLoggerFactory();
        using var pipeline = new DiffusionPipeline(Model(), log.CreateLogger("test"));
        pipeline.Generate(Options("heun"));
        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.StartsWith("Generated 6 samples with heun, 12 steps (23 model evaluations each) in ", entry.Message);
    }

    [Fact]
    public void MemoryBeyondTheLimitIsRefusedBeforeAllocating()
    {
        using var pipeline = new DiffusionPipeline(Model());
        var limits = GenerationLimits.Default with { MaxMemoryBytes = 1_000 };
        var e = Assert.Throws<DiffusionRequestException>(() => pipeline.Generate(Options() with { Count = 100, Limits = limits }));
        Assert.Contains("GenerationLimits.MaxMemoryBytes", e.Message);
        Assert.Equal("GenerationOptions.Count", e.Member);
        // The same request fits once the limit is raised.
        Assert.Equal(100 * 2, pipeline.Generate(Options() with { Count = 100 }).Data.Length);
    }

    [Fact]
    public void ModelEvaluationsBeyondTheLimitAreRefused()
    {
        using var pipeline = new DiffusionPipeline(Model());
        var options = Options("langevin") with { Steps = 5_000, Settings = new SamplerSettings { LangevinSteps = 100 } };
        var e = Assert.Throws<DiffusionRequestException>(() => pipeline.Generate(options));
        Assert.Contains("500001 model evaluations per sample", e.Message);
    }

    /// <summary>A model wrapper that counts denoiser calls.</summary>
    private sealed class CountingModel(IDiffusionModel inner) : IDiffusionModel
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public TimeSpan DelayPerCall { get; init; }

        public Runtime.Models.SchedulerConfig Config => inner.Config;

        public Runtime.Schedules.NoiseSchedule Schedule => inner.Schedule;

        public SampleShape SampleShape => inner.SampleShape;

        public bool IntegerTimesteps => inner.IntegerTimesteps;

        public Runtime.Denoising.IDenoiser CreateDenoiser(int batchSize, ReadOnlyMemory<long>? classLabels, CancellationToken cancellation) =>
            new Counting(this, inner.CreateDenoiser(batchSize, classLabels, cancellation));

        private sealed class Counting(CountingModel owner, Runtime.Denoising.IDenoiser inner) : Runtime.Denoising.IDenoiser
        {
            public void Denoise(ReadOnlySpan<float> x, Runtime.Schedules.TimePoint point, Span<float> denoised)
            {
                Interlocked.Increment(ref owner._calls);
                if (owner.DelayPerCall > TimeSpan.Zero) Thread.Sleep(owner.DelayPerCall);
                inner.Denoise(x, point, denoised);
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
