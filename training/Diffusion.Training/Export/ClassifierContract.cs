namespace Diffusion.Training.Export;

/// <summary>The names an exported classifier is read by (the runtime's evaluation uses exactly these).</summary>
public static class ClassifierContract
{
    /// <summary>The input images, float32 [batch, C, H, W] in the range of <c>data_range</c>.</summary>
    public const string Image = "image";

    /// <summary>The class logits, float32 [batch, num_classes].</summary>
    public const string Logits = "logits";

    /// <summary>The features, float32 [batch, feature_dim].</summary>
    public const string Features = "features";

    /// <summary>The <c>metadata_props</c> key of the classifier's description (<see cref="Classification.ClassifierMetadata"/>).</summary>
    public const string MetadataKey = "classifier_config";

    /// <summary>The symbolic batch dimension.</summary>
    public const string Batch = "batch";
}
