namespace Diffusion.Runtime.Models;

/// <summary>
/// What a model's <c>class_labels</c> input receives for a batch: the labels given, the config's
/// null label when none are given, or nothing for an unconditional model. Shared by every model
/// that feeds an ONNX <c>class_labels</c> input, so they accept and refuse the same labels.
/// </summary>
public static class ClassLabelInput
{
    /// <summary>
    /// The labels for a batch of <paramref name="batchSize"/>: <paramref name="given"/> (one per
    /// sample, each a class 0 .. num_classes - 1 or the config's null label), else the null label
    /// for every sample; null when the model takes no labels.
    /// </summary>
    /// <param name="config">The model's config: <c>num_classes</c> and <c>null_class_label</c>.</param>
    /// <param name="takesLabels">Whether the model has a <c>class_labels</c> input.</param>
    /// <param name="batchSize">Samples in the batch.</param>
    /// <param name="given">The caller's labels, or null.</param>
    /// <exception cref="DiffusionRequestException">Labels given to an unconditional model, none given where there is no null label, or a count or label out of range.</exception>
    public static long[]? Resolve(SchedulerConfig config, bool takesLabels, int batchSize, ReadOnlyMemory<long>? given)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!takesLabels)
        {
            if (given is not null)
                throw Bad("class labels were given, but the model has no class_labels input: do not set GenerationOptions.ClassLabels.");
            return null;
        }
        long[] labels = given is { } g ? g.ToArray()
            : config.NullClassLabel is { } fill ? Enumerable.Repeat((long)fill, batchSize).ToArray()
            : throw Bad("this model is class-conditional and its config names no null_class_label: set GenerationOptions.ClassLabels.");
        if (labels.Length != batchSize)
            throw Bad($"{labels.Length} class labels were given for a batch of {batchSize}: give one label per sample.");
        // Labels 0 .. num_classes - 1 name classes; null_class_label, if the config gives one, means none.
        foreach (long label in labels)
            if (!(label >= 0 && label < config.NumClasses) && label != config.NullClassLabel)
                throw Bad($"class label {label} is out of range: this model has classes 0 to {config.NumClasses - 1}" +
                    (config.NullClassLabel is { } nullLabel ? $" and the null label {nullLabel}." : "."));
        return labels;
    }

    private static DiffusionRequestException Bad(string message) => new(message, "GenerationOptions.ClassLabels");
}
