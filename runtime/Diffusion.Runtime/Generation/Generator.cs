using System.Diagnostics;
using System.Numerics.Tensors;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Diagnostics;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Generation;

/// <summary>
/// Generates samples from a model: checks the request against its limits, builds the path for the
/// chosen step count, draws each sample's starting noise from its own seeded stream (or, with
/// <see cref="NoiseKind.Torch"/>, the batch's from torch's generator), and runs the sampler batch
/// by batch. Holds no state, so concurrent generations on one model are independent.
/// <see cref="DiffusionPipeline"/> adds asynchronous and streaming forms and logging on top.
/// </summary>
public static class Generator
{
    /// <summary>Largest batch used when the options leave it open.</summary>
    public const int DefaultMaxBatch = 64;

    /// <summary>Generates <see cref="GenerationOptions.Count"/> samples.</summary>
    /// <exception cref="DiffusionRequestException">The options are invalid or exceed <see cref="GenerationOptions.Limits"/>; nothing was run.</exception>
    /// <exception cref="DiffusionModelException">The model failed or produced NaN or infinity.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired; the model call in flight is stopped too.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed before or during the generation.</exception>
    public static GeneratedSamples Generate(IDiffusionModel model, GenerationOptions options,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default) =>
        Generate(model, options, progress is null ? null : new StepObserver(progress), cancellation);

    /// <summary>
    /// The sampler <paramref name="options"/> ask for: <see cref="GenerationOptions.CustomSampler"/>, else the
    /// registry's by <see cref="GenerationOptions.Sampler"/>, else the one <paramref name="config"/> names (its diffusers class), else <see cref="Samplers.SamplerRegistry.DefaultName"/>.
    /// </summary>
    public static ISampler SamplerFor(GenerationOptions options, SchedulerConfig config) =>
        options.CustomSampler ?? SamplerRegistry.For(options.Sampler, config);

    /// <summary>The path a generation with these options walks.</summary>
    public static TimePoint[] PathFor(IDiffusionModel model, GenerationOptions options) =>
        SamplingPath.Create(model.Schedule, options.Steps, options.Spacing ?? model.Config.TimestepSpacing,
            model.Config.StepsOffset, model.IntegerTimesteps, model.Config.SpacingConvention);

    /// <summary>The generation itself; <paramref name="observer"/> hears of every step (and may ask for the x0 estimate).</summary>
    internal static GeneratedSamples Generate(IDiffusionModel model, GenerationOptions options, StepObserver? observer, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        long started = Stopwatch.GetTimestamp();
        var plan = GenerationPlan.Create(model, options);
        long[]? labels = plan.Labels;
        int size = model.SampleShape.Size, count = options.Count, batchSize = plan.BatchSize;
        var path = plan.Path;
        var start = path[0];
        float priorStd = (float)Math.Sqrt(start.Alpha * start.Alpha + start.Sigma * start.Sigma);
        var result = new float[(long)count * size];
        int batches = (count + batchSize - 1) / batchSize;
        int evaluations = 0;
        // Torch noise is one stream over the generation, which the plan keeps to one batch.
        INoiseSource? torchNoise = options.Noise == NoiseKind.Torch ? new TorchGenerator(options.Seed) : null;
        for (int b = 0; b < batches; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            int first = b * batchSize, n = Math.Min(batchSize, count - first);
            var x = new float[n * size];
            var noise = torchNoise ?? new BatchNoise(options.Seed, first, n, size);
            if (options.InitialNoise is { } given) given.Span.Slice(first * size, n * size).CopyTo(x);
            else noise.Fill(x);
            TensorPrimitives.Multiply(x, priorStd, x);

            using var denoiser = CreateDenoiser(model, options, labels, first, n, cancellation);
            var (onStep, preview) = observer?.ForBatch(b + 1, batches, first, path.Length - 1) ?? default;
            var run = new SamplerRun(x, n, path, model.Schedule, plan.Settings, denoiser, noise, onStep, cancellation) { Preview = preview, IntegerTimes = model.IntegerTimesteps };
            plan.Sampler.Run(run);
            evaluations = run.Evaluations;
            x.CopyTo(result, (long)first * size);
        }
        DiffusionMetrics.Generations.Add(1);
        DiffusionMetrics.Samples.Add(count);
        DiffusionMetrics.GenerationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return new GeneratedSamples(result, count, model.SampleShape, evaluations)
        {
            Labels = labels is null ? null : Array.ConvertAll(labels, l => (int)l),
            Sampler = plan.Sampler.Name,
            Options = options,
        };
    }

    private static IDenoiser CreateDenoiser(IDiffusionModel model, GenerationOptions options, long[]? labels, int first, int n,
        CancellationToken cancellation)
    {
        if (labels is null) return model.CreateDenoiser(n, null, cancellation);
        if (options.GuidanceScale == 1) return model.CreateDenoiser(n, labels.AsMemory(first, n), cancellation);
        // Both branches in one batch: the requested labels, then the null label.
        long nullLabel = model.Config.NullClassLabel!.Value;
        var paired = new long[2 * n];
        labels.AsSpan(first, n).CopyTo(paired);
        paired.AsSpan(n).Fill(nullLabel);
        return new ClassifierFreeGuidance(model.CreateDenoiser(2 * n, paired, cancellation), n * model.SampleShape.Size, options.GuidanceScale);
    }
}
