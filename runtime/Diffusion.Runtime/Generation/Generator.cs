using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Generation;

/// <summary>
/// Generates samples from a model: builds the path for the chosen step count, draws each sample's
/// starting noise from its own seeded stream, and runs the sampler batch by batch. Holds no state,
/// so concurrent generations on one model are independent.
/// </summary>
public static class Generator
{
    /// <summary>Largest batch used when the options leave it open.</summary>
    public const int DefaultMaxBatch = 64;

    /// <summary>Generates <see cref="GenerationOptions.Count"/> samples.</summary>
    public static GeneratedSamples Generate(IDiffusionModel model, GenerationOptions options,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        var sampler = SamplerRegistry.For(options.Sampler, model.Config);
        var settings = options.Settings.WithDefaultsFrom(model.Config);
        settings.Validate();
        if (options.Count < 1) throw new DiffusionRequestException($"count must be at least 1, got {options.Count}.");
        int batchSize = options.BatchSize ?? Math.Min(options.Count, DefaultMaxBatch);
        if (batchSize < 1) throw new DiffusionRequestException($"batch size must be at least 1, got {batchSize}.");
        batchSize = Math.Min(batchSize, options.Count);
        long[]? labels = ClassLabels(model, options);
        int size = model.SampleShape.Size;
        if (options.InitialNoise is { } init && init.Length != options.Count * size)
            throw new DiffusionRequestException(
                $"the initial noise holds {init.Length} values, but {options.Count} samples of shape {model.SampleShape} need {options.Count * size}.");

        var path = PathFor(model, options);
        var start = path[0];
        float priorStd = (float)Math.Sqrt(start.Alpha * start.Alpha + start.Sigma * start.Sigma);
        var result = new float[options.Count * size];
        int batches = (options.Count + batchSize - 1) / batchSize;
        int evaluations = 0;
        for (int b = 0; b < batches; b++)
        {
            int first = b * batchSize, n = Math.Min(batchSize, options.Count - first);
            var x = new float[n * size];
            var noise = new BatchNoise(options.Seed, first, n, size);
            if (options.InitialNoise is { } given) given.Span.Slice(first * size, n * size).CopyTo(x);
            else noise.Fill(x);
            System.Numerics.Tensors.TensorPrimitives.Multiply(x, priorStd, x);

            using var denoiser = CreateDenoiser(model, options, labels, first, n, cancellation);
            int batchNumber = b + 1;
            Action<int>? onStep = progress is null ? null : i => progress.Report(new GenerationProgress(i + 1, path.Length - 1, batchNumber, batches));
            var run = new SamplerRun(x, n, path, model.Schedule, settings, denoiser, noise, onStep, cancellation);
            sampler.Run(run);
            evaluations = run.Evaluations;
            x.CopyTo(result, first * size);
        }
        return new GeneratedSamples(result, options.Count, model.SampleShape, evaluations) { Labels = labels is null ? null : Array.ConvertAll(labels, l => (int)l) };
    }

    /// <summary>The path a generation with these options walks.</summary>
    public static TimePoint[] PathFor(IDiffusionModel model, GenerationOptions options) =>
        SamplingPath.Create(model.Schedule, options.Steps, options.Spacing ?? model.Config.TimestepSpacing,
            model.Config.StepsOffset, model.IntegerTimesteps, model.Config.SpacingConvention);

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

    private static long[]? ClassLabels(IDiffusionModel model, GenerationOptions options)
    {
        if (!(options.GuidanceScale >= 0 && double.IsFinite(options.GuidanceScale)))
            throw new DiffusionRequestException($"guidance must be 0 or more, got {options.GuidanceScale}.");
        if (options.GuidanceScale != 1 && options.ClassLabels is null)
            throw new DiffusionRequestException("guidance needs a class label to guide towards: pass --class.");
        if (options.GuidanceScale != 1 && model.Config.NullClassLabel is null)
            throw new DiffusionRequestException("guidance needs the unconditional branch, but the model's config names no null_class_label.");
        int classes = model.Config.NumClasses;
        if (options.ClassLabels is not { } given) return null;
        if (given.Count == 0) throw new DiffusionRequestException("the list of class labels is empty: give at least one, or none for unconditional samples.");
        if (classes == 0)
            throw new DiffusionRequestException($"class label {given[0]} was given, but this model is not class-conditional (num_classes is 0).");
        foreach (int label in given)
        {
            if (label < 0 || label >= classes)
                throw new DiffusionRequestException($"class label {label} is out of range: this model has classes 0 to {classes - 1}.");
        }
        var labels = new long[options.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = given[i % given.Count];
        return labels;
    }
}
