using Diffusion.Runtime.Models;

namespace Diffusion.Training.Export;

/// <summary>
/// The names of the runtime's model contract (diffusers' vocabulary), and the scheduler config keys the exporter
/// takes from the network itself: <c>in_channels</c>, <c>sample_size</c>, <c>num_classes</c>, <c>null_class_label</c>.
/// </summary>
internal static class ModelContract
{
    /// <summary>The noisy sample input, float32 [batch, C, H, W].</summary>
    public const string Sample = "sample";

    /// <summary>The raw timestep input, float32 [batch].</summary>
    public const string Timestep = "timestep";

    /// <summary>The class label input of class-conditional networks, int64 [batch].</summary>
    public const string ClassLabels = "class_labels";

    /// <summary>The prediction, shaped like the sample.</summary>
    public const string Output = "out_sample";

    /// <summary>The symbolic batch dimension.</summary>
    public const string Batch = "batch";

    /// <summary>The symbolic height of a fully convolutional network's sample.</summary>
    public const string Height = "height";

    /// <summary>The symbolic width of a fully convolutional network's sample.</summary>
    public const string Width = "width";

    /// <summary>
    /// <paramref name="config"/> with the keys the network determines filled in; a key the caller set must agree
    /// with the network. Throws an <see cref="ArgumentException"/> naming the disagreement, or the runtime's error
    /// for an invalid config.
    /// </summary>
    public static SchedulerConfig Describe(SchedulerConfig config, NetworkGraph network)
    {
        ArgumentNullException.ThrowIfNull(config);
        var shape = network.SampleShape;
        int classes = network.NumClasses ?? 0;
        Agree("in_channels", config.InChannels, shape.Channels, network);
        Agree("sample_size", config.SampleSize, shape.Height, network);
        Agree("num_classes", config.NumClasses == 0 ? null : config.NumClasses, classes, network);
        // The networks' null label is the last row of the class table: label NumClasses.
        if (config.NullClassLabel is { } label && label != network.NumClasses)
        {
            throw new ArgumentException($"the scheduler config gives null_class_label {label}, but the {network.TypeName}'s null label is {network.NumClasses?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (it is unconditional)"}: leave it unset");
        }
        var described = config with { InChannels = shape.Channels, SampleSize = shape.Height, NumClasses = classes, NullClassLabel = network.NumClasses };
        described.Validate();
        return described;
    }

    private static void Agree(string key, int? given, int actual, NetworkGraph network)
    {
        if (given is { } value && value != actual)
        {
            throw new ArgumentException($"the scheduler config gives {key} {value}, but the {network.TypeName} has {actual}: leave it unset or make them agree");
        }
    }
}
