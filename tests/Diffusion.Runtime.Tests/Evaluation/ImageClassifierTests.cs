using Diffusion.Runtime.Evaluation;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Evaluation;

/// <summary>The classifier wrapper runs a classifier of the contract in batches and refuses files that break it.</summary>
public sealed class ImageClassifierTests : IDisposable
{
    private static readonly ModelLoadOptions Cpu = new() { Device = "cpu" };
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void FeaturesAndClassesAreTheLinearMaps()
    {
        using var classifier = ImageClassifier.Load(TinyMnist.SaveClassifier(_folder.File("c.onnx")), Cpu);
        var images = TinyMnist.Draw(300, seed: 2, digit: 4);

        var outputs = classifier.Run(images, 300);

        Assert.Equal(new SampleShape(1, 28, 28), classifier.ImageShape);
        Assert.Equal((10, 8), (classifier.ClassCount, classifier.FeatureDimension));
        var expected = TinyMnist.Features(images);
        Assert.All(Enumerable.Range(0, expected.Length), i => Assert.Equal(expected[i], outputs.Features[i], 1e-4));
        Assert.Equal(1.0, outputs.Accuracy(Enumerable.Repeat(4, 300).ToArray()));
        Assert.Equal(0.0, outputs.Accuracy(Enumerable.Repeat(5, 300).ToArray()));
        Assert.Equal(0.5, outputs.Accuracy(Enumerable.Range(0, 300).Select(i => i % 2 == 0 ? 4 : 5).ToArray()));
    }

    [Fact]
    public void FixedBatchClassifierPadsTheLastBatch()
    {
        using var dynamic = ImageClassifier.Load(TinyMnist.SaveClassifier(_folder.File("dynamic.onnx")), Cpu);
        using var fixedBatch = ImageClassifier.Load(TinyMnist.SaveClassifier(_folder.File("fixed.onnx"), fixedBatch: 4), Cpu);
        var images = TinyMnist.Draw(6, seed: 3);

        Assert.Equal(dynamic.Run(images, 6).Features, fixedBatch.Run(images, 6).Features);
    }

    [Fact]
    public void MissingFileNamesItAndTheContract()
    {
        string path = _folder.File("none.onnx");

        var e = Assert.ThrowsAny<DiffusionException>(() => ImageClassifier.Load(path, Cpu));

        Assert.Equal($"classifier {path} does not exist: give the path of a feature classifier exported to ONNX (inputs 'image', outputs 'logits' and 'features').", e.Message);
    }

    [Fact]
    public void MissingFeaturesOutputIsRefused()
    {
        string path = TinyMnist.SaveClassifier(_folder.File("no-features.onnx"), withFeatures: false);

        var e = Assert.ThrowsAny<DiffusionException>(() => ImageClassifier.Load(path, Cpu));

        Assert.StartsWith($"{path} has no output named 'features' (float32 [N, D] features); its outputs are logits: it is not a feature classifier", e.Message);
    }

    [Fact]
    public void DiffusionModelIsNotAClassifier()
    {
        string path = TinyMnist.SaveModel(_folder.File("model.onnx"));

        var e = Assert.ThrowsAny<DiffusionException>(() => ImageClassifier.Load(path, Cpu));

        Assert.Contains("has no input named 'image'", e.Message);
    }

    [Fact]
    public void ConfigThatContradictsTheDeclaredShapesIsRefused()
    {
        string path = TinyMnist.SaveClassifier(_folder.File("c.onnx"), config: """{ "num_classes": 12 }""");

        var e = Assert.ThrowsAny<DiffusionException>(() => ImageClassifier.Load(path, Cpu));

        Assert.Contains("declares logits: float32 [batch, 10] but its classifier_config says num_classes 12", e.Message);
    }

    [Fact]
    public void ConfigIsRead()
    {
        using var classifier = ImageClassifier.Load(TinyMnist.SaveClassifier(_folder.File("c.onnx")), Cpu);

        Assert.Equal("mnist", classifier.Config.Dataset);
        Assert.Equal(1.0, classifier.Config.HeldoutAccuracy);
        Assert.Equal((-1.0, 1.0), (classifier.Config.DataMin, classifier.Config.DataMax));
    }
}
