using Diffusion.Onnx.Graphs;
using Diffusion.Training.Classification;
using Diffusion.Training.Networks;
using Onnx;

namespace Diffusion.Training.Export;

/// <summary>
/// Exports a <see cref="DigitClassifier"/> to ONNX (opset 17): input <c>image</c> float32 [batch, C, H, W]; outputs
/// <c>logits</c> float32 [batch, num_classes] and <c>features</c> float32 [batch, feature_dim]
/// (<see cref="ClassifierContract"/>). Weights are initializers named after the network's parameters. The
/// <see cref="ClassifierMetadata"/> is embedded under <see cref="ClassifierContract.MetadataKey"/>, the network's type and
/// configuration under <see cref="OnnxExporter.NetworkTypeKey"/> and <see cref="OnnxExporter.NetworkConfigKey"/>.
/// </summary>
public static class ClassifierExporter
{
    /// <summary>
    /// Writes <paramref name="network"/> to <paramref name="path"/> atomically (a temporary file renamed into place;
    /// missing folders are created) and returns the metadata embedded: <paramref name="metadata"/> with
    /// <c>num_classes</c>, <c>feature_dim</c> and <c>image_shape</c> taken from the network.
    /// </summary>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static ClassifierMetadata Export(DigitClassifier network, ClassifierMetadata metadata, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (model, embedded) = Build(network, metadata);
        model.Save(path);
        return embedded;
    }

    /// <summary>The ONNX model <see cref="Export"/> writes, in memory.</summary>
    public static ModelProto ToModel(DigitClassifier network, ClassifierMetadata metadata) => Build(network, metadata).Model;

    private static (ModelProto Model, ClassifierMetadata Metadata) Build(DigitClassifier network, ClassifierMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(metadata);
        var config = network.Config;
        var embedded = metadata with
        {
            NumClasses = config.NumClasses,
            FeatureDim = config.FeatureDim,
            ImageShape = [config.InChannels, config.ImageSize, config.ImageSize],
        };
        var builder = new OnnxModelBuilder(nameof(DigitClassifier))
        {
            OpsetVersion = 17,
            ProducerName = "Diffusion.Training",
            DocString = $"{nameof(DigitClassifier)} (logits and features) exported by Diffusion.Training",
        };
        var image = builder.Input(ClassifierContract.Image, ElementType.Float32, ClassifierContract.Batch, config.InChannels, config.ImageSize, config.ImageSize);

        var g = new ModuleEmitter(builder, network);
        var h = image;
        foreach (var conv in network.convs) h = g.SiLU(g.Conv2d(conv, h));
        var features = g.SiLU(g.Linear(network.features, builder.Reshape(h, 0, -1)));
        var logits = g.Linear(network.logits, features); // dropout is the identity at inference
        builder.Output(logits, ClassifierContract.Logits, ElementType.Float32, ClassifierContract.Batch, config.NumClasses);
        builder.Output(features, ClassifierContract.Features, ElementType.Float32, ClassifierContract.Batch, config.FeatureDim);
        g.RequireEveryWeightUsed(nameof(DigitClassifier));

        builder.Metadata[ClassifierContract.MetadataKey] = embedded.ToJson();
        builder.Metadata[OnnxExporter.NetworkTypeKey] = nameof(DigitClassifier);
        builder.Metadata[OnnxExporter.NetworkConfigKey] = config.ToJson();
        return (builder.Build(), embedded);
    }
}
