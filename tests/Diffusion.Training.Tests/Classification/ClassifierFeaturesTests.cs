using Diffusion.Runtime.IO;
using Diffusion.Torch;
using Diffusion.Training.Classification;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Diffusion.Training.Tests.Export.Support;

namespace Diffusion.Training.Tests.Classification;

public class ClassifierFeaturesTests(MnistDigits mnist) : IClassFixture<MnistDigits>
{
    [Fact]
    public void TheFeaturesFileHasOneRowPerImageInDatasetOrderMatchingTheExportedNetwork()
    {
        // 40 digits of every class but in an order that is not sorted by class, to catch a reordering.
        var data = HeldoutSplit.Subset(mnist.All, [.. Enumerable.Range(0, 40).Select(i => (i * 2371) % mnist.All.Count)]);
        using var generator = new Generator(21);
        using var network = new DigitClassifier(new DigitClassifierConfig { FeatureDim = 24 }, generator);
        using var folder = new TempFolder();
        string features = folder.File("out/features.npy"), model = folder.File("classifier.onnx");

        Assert.Equal([40, 24], ClassifierFeatures.Write(network, data, features));
        ClassifierExporter.Export(network, new ClassifierMetadata(), model);

        var array = NpyFile.Read(features);
        Assert.Equal([40, 24], array.Shape);
        using var session = new ClassifierSession(model);
        foreach (int i in new[] { 0, 7, 39 })
        {
            // Each checked row against the ONNX network run on that image alone.
            var (_, expected) = session.Run(data.Sample(i).ToArray(), [1, 1, 28, 28]);
            var row = array.Data.AsSpan(i * 24, 24).ToArray();
            Assert.True(expected.Max(Math.Abs) > 1e-3, "the features are too small for the comparison to mean anything");
            double maxAbs = expected.Zip(row, (e, a) => Math.Abs((double)e - a)).Max();
            Assert.True(maxAbs < 1e-5, $"row {i} differs from the exported network's features by {maxAbs:E2}");
        }
        Assert.NotEqual(array.Data.AsSpan(0, 24).ToArray(), array.Data.AsSpan(24, 24).ToArray());
    }
}
