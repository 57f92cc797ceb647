using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Generation;

/// <summary>
/// A generation request checked against its model and limits before anything large is allocated:
/// the sampler, its settings, the batch size, the class labels and the path. Every size is
/// computed in 64-bit arithmetic.
/// </summary>
internal sealed record GenerationPlan(ISampler Sampler, SamplerSettings Settings, int BatchSize, long[]? Labels, TimePoint[] Path)
{
    private const string Options = nameof(GenerationOptions) + ".";

    /// <exception cref="DiffusionRequestException">Anything out of range; <see cref="DiffusionRequestException.Member"/> names the option.</exception>
    public static GenerationPlan Create(IDiffusionModel model, GenerationOptions options)
    {
        var limits = options.Limits ?? throw Bad("GenerationOptions.Limits must not be null: leave it at GenerationLimits.Default or pass your own.", "Limits");
        var sampler = Generator.SamplerFor(options, model.Config);
        var settings = (options.Settings ?? new SamplerSettings()).WithDefaultsFrom(model.Config);
        settings.Validate();

        if (options.Count < 1 || options.Count > limits.MaxCount)
            throw Bad($"GenerationOptions.Count must lie in 1 to {limits.MaxCount} (GenerationLimits.MaxCount), got {options.Count}.", "Count");
        if (options.Steps < 1 || options.Steps > limits.MaxSteps)
            throw Bad($"GenerationOptions.Steps must lie in 1 to {limits.MaxSteps} (GenerationLimits.MaxSteps), got {options.Steps}.", "Steps");
        int batchSize = options.BatchSize ?? Math.Min(options.Count, Generator.DefaultMaxBatch);
        if (batchSize < 1 || batchSize > limits.MaxBatchSize)
            throw Bad($"GenerationOptions.BatchSize must lie in 1 to {limits.MaxBatchSize} (GenerationLimits.MaxBatchSize), got {batchSize}.", "BatchSize");
        batchSize = Math.Min(batchSize, options.Count);
        CheckNoise(options, batchSize);

        long evaluations = sampler.ModelEvaluations(options.Steps, settings);
        if (evaluations > limits.MaxModelEvaluations)
            throw Bad($"{sampler.Name} with {options.Steps} steps makes {evaluations} model evaluations per sample, more than " +
                $"GenerationLimits.MaxModelEvaluations ({limits.MaxModelEvaluations}): use fewer steps.", "Steps");

        long sampleSize = model.SampleShape.Size;
        long rowsPerCall = options.GuidanceScale != 1 ? 2L * batchSize : batchSize;
        long bytes = GenerationLimits.MemoryBytes(options.Count, sampleSize, rowsPerCall);
        if (bytes > limits.MaxMemoryBytes)
            throw Bad($"{options.Count} samples of shape {model.SampleShape} in batches of {batchSize} need about {bytes >> 20} MiB, more than " +
                $"GenerationLimits.MaxMemoryBytes ({limits.MaxMemoryBytes >> 20} MiB): generate fewer samples at once, or raise the limit.", "Count");

        if (options.InitialNoise is { } init && init.Length != options.Count * sampleSize)
            throw Bad($"GenerationOptions.InitialNoise holds {init.Length} values, but {options.Count} samples of shape {model.SampleShape} need {options.Count * sampleSize}.", "InitialNoise");

        var labels = ClassLabels(model, options);
        return new GenerationPlan(sampler, settings, batchSize, labels, Generator.PathFor(model, options));
    }

    private static void CheckNoise(GenerationOptions options, int batchSize)
    {
        if (!Enum.IsDefined(options.Noise))
            throw Bad($"GenerationOptions.Noise {(int)options.Noise} is not a NoiseKind: use {string.Join(" or ", Enum.GetNames<NoiseKind>())}.", "Noise");
        if (options.Noise == NoiseKind.Torch && batchSize < options.Count)
            throw Bad($"torch-compatible noise (GenerationOptions.Noise) is one stream over the whole generation, so every sample must be in one batch: " +
                $"set GenerationOptions.BatchSize to at least {options.Count}, or generate at most {batchSize} samples (GenerationOptions.Count).", "BatchSize");
    }

    private static long[]? ClassLabels(IDiffusionModel model, GenerationOptions options)
    {
        if (!(options.GuidanceScale >= 0 && double.IsFinite(options.GuidanceScale)))
            throw Bad($"GenerationOptions.GuidanceScale must be 0 or more, got {options.GuidanceScale}.", "GuidanceScale");
        if (options.GuidanceScale != 1 && options.ClassLabels is null)
            throw Bad("GenerationOptions.GuidanceScale needs a class label to guide towards: set GenerationOptions.ClassLabels.", "ClassLabels");
        if (options.GuidanceScale != 1 && model.Config.NullClassLabel is null)
            throw Bad("GenerationOptions.GuidanceScale needs the unconditional branch, but the model's config names no null_class_label: leave GenerationOptions.GuidanceScale at 1.", "GuidanceScale");
        int classes = model.Config.NumClasses;
        if (options.ClassLabels is not { } given) return null;
        if (given.Count == 0) throw Bad("GenerationOptions.ClassLabels is empty: give at least one label, or null for unconditional samples.", "ClassLabels");
        if (classes == 0)
            throw Bad($"class label {given[0]} was given, but this model is not class-conditional (num_classes is 0): do not set GenerationOptions.ClassLabels.", "ClassLabels");
        foreach (int label in given)
        {
            if (label < 0 || label >= classes)
                throw Bad($"class label {label} is out of range: this model has classes 0 to {classes - 1}.", "ClassLabels");
        }
        var labels = new long[options.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = given[i % given.Count];
        return labels;
    }

    private static DiffusionRequestException Bad(string message, string member) => new(message, Options + member);
}
