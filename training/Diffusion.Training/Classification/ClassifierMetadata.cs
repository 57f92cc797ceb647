using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diffusion.Training.Classification;

/// <summary>
/// What an exported classifier is and how it was made, embedded as snake_case JSON in the model's
/// <c>metadata_props</c> under <see cref="Export.ClassifierContract.MetadataKey"/>. The runtime reads
/// <c>num_classes</c>, <c>feature_dim</c>, <c>image_shape</c> and <c>data_range</c>; the rest is provenance.
/// </summary>
public sealed record ClassifierMetadata
{
    /// <summary>Number of classes: the width of the <c>logits</c> output.</summary>
    public int NumClasses { get; init; }

    /// <summary>The width of the <c>features</c> output.</summary>
    public int FeatureDim { get; init; }

    /// <summary>[C, H, W] of one input image.</summary>
    public int[] ImageShape { get; init; } = [];

    /// <summary>[min, max]: the interval the network's input images lie in.</summary>
    public double[] DataRange { get; init; } = [-1, 1];

    /// <summary>The training data's name (e.g. <c>mnist</c>), or null when unknown.</summary>
    public string? Dataset { get; init; }

    /// <summary>Accuracy on the held-out images, or null when none were held out.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? HeldoutAccuracy { get; init; }

    /// <summary>Images the network was trained on.</summary>
    public int TrainImages { get; init; }

    /// <summary>Images held out of training to measure <see cref="HeldoutAccuracy"/>.</summary>
    public int HeldoutImages { get; init; }

    /// <summary>Optimisation steps.</summary>
    public long Steps { get; init; }

    /// <summary>The training seed.</summary>
    public ulong Seed { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>The metadata as one-line snake_case JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads metadata written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    public static ClassifierMetadata FromJson(string json) =>
        JsonSerializer.Deserialize<ClassifierMetadata>(json, Json) ?? throw new JsonException("the JSON text holds no classifier metadata");
}
