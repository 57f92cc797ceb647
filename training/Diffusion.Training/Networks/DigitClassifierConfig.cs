using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diffusion.Training.Networks;

/// <summary>
/// The shape of a <see cref="DigitClassifier"/>: a small CNN whose first convolution keeps the resolution and whose
/// later ones halve it, then a feature layer and the class logits; serialisable to JSON (<see cref="ToJson"/>).
/// </summary>
public sealed record DigitClassifierConfig
{
    /// <summary>Channels of the images (1 for MNIST).</summary>
    public int InChannels { get; init; } = 1;

    /// <summary>Image height and width (square).</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>Output channels of each 3x3 convolution; the first has stride 1, every later one stride 2.</summary>
    public int[] Channels { get; init; } = [32, 64, 64];

    /// <summary>Width of the feature layer, the representation the runtime's evaluation compares images in.</summary>
    public int FeatureDim { get; init; } = 64;

    /// <summary>Number of classes (10 digits).</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Dropout on the features before the logits layer, during training only (0 disables it).</summary>
    public double Dropout { get; init; }

    /// <summary>The side of the last feature map: each stride-2 convolution (kernel 3, padding 1) maps s to ⌊(s − 1) / 2⌋ + 1.</summary>
    [JsonIgnore]
    public int FeatureMapSize => Channels.Skip(1).Aggregate(ImageSize, (size, _) => (size - 1) / 2 + 1);

    /// <summary>The width of the flattened last feature map, the input of the feature layer.</summary>
    [JsonIgnore]
    public int FlattenedSize => Channels[^1] * FeatureMapSize * FeatureMapSize;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistency and how to fix it.</summary>
    public void Validate()
    {
        if (InChannels < 1) throw Invalid($"InChannels must be positive, got {InChannels}");
        if (ImageSize < 1) throw Invalid($"ImageSize must be positive, got {ImageSize}");
        if (Channels.Length == 0 || Channels.Any(c => c < 1)) throw Invalid("Channels needs at least one positive entry per convolution, e.g. [32, 64, 64]");
        if (FeatureDim < 1) throw Invalid($"FeatureDim must be positive, got {FeatureDim}");
        if (NumClasses < 2) throw Invalid($"NumClasses must be at least 2, got {NumClasses}");
        if (Dropout is < 0 or >= 1) throw Invalid($"Dropout must be in [0, 1), got {Dropout}");
    }

    private static ArgumentException Invalid(string message) => new($"digit classifier config: {message}");

    /// <summary>The configuration as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, NetworkJson.Options);

    /// <summary>Reads a configuration written by <see cref="ToJson"/> (missing keys keep their defaults).</summary>
    public static DigitClassifierConfig FromJson(string json) => NetworkJson.Read<DigitClassifierConfig>(json);

    /// <summary>Value equality, including the channel list.</summary>
    public bool Equals(DigitClassifierConfig? other) =>
        other is not null && InChannels == other.InChannels && ImageSize == other.ImageSize && Channels.SequenceEqual(other.Channels)
        && FeatureDim == other.FeatureDim && NumClasses == other.NumClasses && Dropout.Equals(other.Dropout);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(InChannels, ImageSize, Channels.Length, FeatureDim, NumClasses);
}
