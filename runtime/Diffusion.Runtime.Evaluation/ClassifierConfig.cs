using System.Text.Json;

namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// What a feature classifier says about itself: the JSON in its ONNX <c>metadata_props</c> under
/// <c>classifier_config</c>, e.g. <c>{"num_classes":10,"feature_dim":64,"image_shape":[1,28,28],
/// "data_range":[-1,1],"dataset":"mnist","heldout_accuracy":0.99}</c>. Every key is optional;
/// declared tensor shapes take precedence and must agree with it.
/// </summary>
public sealed record ClassifierConfig
{
    /// <summary>The <c>metadata_props</c> key.</summary>
    public const string MetadataKey = "classifier_config";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary><c>num_classes</c>: the length of the <c>logits</c> output.</summary>
    public int? NumClasses { get; init; }

    /// <summary><c>feature_dim</c>: the length of the <c>features</c> output.</summary>
    public int? FeatureDim { get; init; }

    /// <summary><c>image_shape</c>: [C, H, W] of one input image.</summary>
    public int[]? ImageShape { get; init; }

    /// <summary><c>data_range</c>: [min, max] of the pixel values the classifier was trained on; null means [-1, 1].</summary>
    public double[]? DataRange { get; init; }

    /// <summary><c>dataset</c>: the data it was trained on, e.g. <c>mnist</c>.</summary>
    public string? Dataset { get; init; }

    /// <summary><c>heldout_accuracy</c>: its accuracy on held-out real images, for the record.</summary>
    public double? HeldoutAccuracy { get; init; }

    /// <summary>The low end of <see cref="DataRange"/>.</summary>
    public double DataMin => DataRange?[0] ?? -1;

    /// <summary>The high end of <see cref="DataRange"/>.</summary>
    public double DataMax => DataRange?[1] ?? 1;

    /// <summary>Parses the JSON; <paramref name="source"/> names it in errors.</summary>
    public static ClassifierConfig Parse(string json, string source)
    {
        ClassifierConfig config;
        try
        {
            config = JsonSerializer.Deserialize<ClassifierConfig>(json, Json)
                ?? throw new DiffusionModelException($"classifier config {source} is null: write a JSON object.");
        }
        catch (JsonException e)
        {
            throw new DiffusionModelException($"classifier config {source} is not a valid JSON object of the expected keys: {e.Message}", e);
        }
        if (config.DataRange is { } range && !(range.Length == 2 && range[1] > range[0]))
            throw new DiffusionModelException($"classifier config {source} has data_range [{string.Join(", ", range)}]: give [min, max] with min < max.");
        if (config.ImageShape is { } shape && !(shape.Length == 3 && shape.All(d => d > 0)))
            throw new DiffusionModelException($"classifier config {source} has image_shape [{string.Join(", ", shape)}]: give [C, H, W].");
        return config;
    }
}
