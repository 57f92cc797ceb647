using System.Text.Json;
using Diffusion.Torch;
using Diffusion.Training.Classification;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Diffusion.Training.Tests.Export.Support;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Diffusion.Training.Tests.Classification;

/// <summary>The names and metadata the runtime's evaluation reads from an exported classifier.</summary>
public class ClassifierExportMetadataTests
{
    private static readonly ClassifierMetadata Run = new()
    {
        DataRange = [-1, 1], Dataset = "mnist", HeldoutAccuracy = 0.985, TrainImages = 8000, HeldoutImages = 2000, Steps = 3000, Seed = 4,
    };

    private static ClassifierSession Export(TempFolder folder, DigitClassifierConfig config, ClassifierMetadata metadata)
    {
        using var generator = new Generator(2);
        using var network = new DigitClassifier(config, generator);
        string path = folder.File("classifier.onnx");
        ClassifierExporter.Export(network, metadata, path);
        return new ClassifierSession(path);
    }

    [Fact]
    public void TheClassifierConfigHoldsTheKeysTheRuntimeReadsAndTheRunsProvenance()
    {
        using var folder = new TempFolder();
        using var session = Export(folder, new DigitClassifierConfig { FeatureDim = 48 }, Run);
        using var json = JsonDocument.Parse(session.Metadata[ClassifierContract.MetadataKey]);
        var root = json.RootElement;
        Assert.Equal(10, root.GetProperty("num_classes").GetInt32());
        Assert.Equal(48, root.GetProperty("feature_dim").GetInt32());
        Assert.Equal([1, 28, 28], root.GetProperty("image_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([-1.0, 1.0], root.GetProperty("data_range").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("mnist", root.GetProperty("dataset").GetString());
        Assert.Equal(0.985, root.GetProperty("heldout_accuracy").GetDouble());
        Assert.Equal((8000, 2000, 3000L, 4UL), (root.GetProperty("train_images").GetInt32(), root.GetProperty("heldout_images").GetInt32(),
            root.GetProperty("steps").GetInt64(), root.GetProperty("seed").GetUInt64()));
        Assert.Equal("DigitClassifier", session.Metadata[OnnxExporter.NetworkTypeKey]);
        Assert.Equal(new DigitClassifierConfig { FeatureDim = 48 }, DigitClassifierConfig.FromJson(session.Metadata[OnnxExporter.NetworkConfigKey]));
    }

    [Fact]
    public void TheNetworkDecidesTheShapesWhateverTheCallerPassed()
    {
        using var folder = new TempFolder();
        var config = new DigitClassifierConfig { InChannels = 3, ImageSize = 16, NumClasses = 4, FeatureDim = 8, Channels = [4, 8] };
        using var session = Export(folder, config, Run with { NumClasses = 10, FeatureDim = 64, ImageShape = [1, 28, 28] });
        var metadata = ClassifierMetadata.FromJson(session.Metadata[ClassifierContract.MetadataKey]);
        Assert.Equal((4, 8), (metadata.NumClasses, metadata.FeatureDim));
        Assert.Equal([3, 16, 16], metadata.ImageShape);
    }

    [Fact]
    public void TheInputIsImageAndTheOutputsAreLogitsAndFeaturesWithADynamicBatch()
    {
        using var folder = new TempFolder();
        using var session = Export(folder, new DigitClassifierConfig(), Run);
        var input = Assert.Single(session.Session.InputMetadata);
        Assert.Equal("image", input.Key);
        Assert.Equal(TensorElementType.Float, input.Value.ElementDataType);
        Assert.Equal([-1, 1, 28, 28], input.Value.Dimensions);
        Assert.Equal("batch", input.Value.SymbolicDimensions[0]);
        Assert.Equal(["logits", "features"], session.Session.OutputMetadata.Keys);
        Assert.Equal([-1, 10], session.Session.OutputMetadata["logits"].Dimensions);
        Assert.Equal([-1, 64], session.Session.OutputMetadata["features"].Dimensions);
        Assert.All(session.Session.OutputMetadata.Values, o => Assert.Equal(TensorElementType.Float, o.ElementDataType));
    }

    [Fact]
    public void WithoutAHeldOutSetTheAccuracyIsLeftOut()
    {
        using var folder = new TempFolder();
        using var session = Export(folder, new DigitClassifierConfig(), Run with { HeldoutAccuracy = null, HeldoutImages = 0 });
        using var json = JsonDocument.Parse(session.Metadata[ClassifierContract.MetadataKey]);
        Assert.False(json.RootElement.TryGetProperty("heldout_accuracy", out _));
        Assert.Equal(0, json.RootElement.GetProperty("heldout_images").GetInt32());
    }
}
