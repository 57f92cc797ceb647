using Diffusion.Runtime.IO;
using Diffusion.Training.Classification;
using Diffusion.Training.Data;
using Diffusion.Training.Export;

namespace Diffusion.Training.Tests.Classification;

/// <summary>models/mnist-classifier.onnx and models/mnist-features.npy, as the runtime's evaluation reads them.</summary>
public class ShippedClassifierTests(MnistDigits mnist) : IClassFixture<MnistDigits>
{
    private static string Models(string name) => Path.Combine(RepositoryRoot.Find(), "models", name);

    [Fact]
    public void TheShippedClassifierScoresTheHeldOutDigitsAsItsMetadataSays()
    {
        using var session = new ClassifierSession(Models("mnist-classifier.onnx"));
        var metadata = ClassifierMetadata.FromJson(session.Metadata[ClassifierContract.MetadataKey]);
        Assert.Equal(("mnist", 10, 64, 8000, 2000), (metadata.Dataset, metadata.NumClasses, metadata.FeatureDim, metadata.TrainImages, metadata.HeldoutImages));
        Assert.Equal([1, 28, 28], metadata.ImageShape);
        Assert.Equal([-1.0, 1.0], metadata.DataRange);
        Assert.True(metadata.HeldoutAccuracy >= 0.98, $"the shipped classifier's held-out accuracy is {metadata.HeldoutAccuracy:P2}");

        var (_, heldout) = HeldoutSplit.EveryKth(mnist.All, 5);
        var (logits, _) = session.Run(heldout!.Data, [heldout.Count, 1, 28, 28]);
        double accuracy = ClassifierInference.Accuracy(logits, heldout.Labels);
        // ONNX Runtime and libtorch may break a near-tie differently: one image either way.
        Assert.InRange(accuracy, metadata.HeldoutAccuracy!.Value - 1.0 / heldout.Count, metadata.HeldoutAccuracy.Value + 1.0 / heldout.Count);
    }

    [Fact]
    public void TheShippedFeaturesAreTheClassifiersFeaturesOfEveryDigitInDatasetOrder()
    {
        var features = NpyFile.Read(Models("mnist-features.npy"));
        Assert.Equal([10_000, 64], features.Shape);
        using var session = new ClassifierSession(Models("mnist-classifier.onnx"));
        int[] rows = [0, 1, 999, 5000, 9999];
        var images = rows.SelectMany(i => mnist.All.Sample(i).ToArray()).ToArray();
        var (_, expected) = session.Run(images, [rows.Length, 1, 28, 28]);
        for (int r = 0; r < rows.Length; r++)
        {
            var row = features.Data.AsSpan(rows[r] * 64, 64).ToArray();
            double maxAbs = row.Select((v, j) => Math.Abs((double)v - expected[r * 64 + j])).Max();
            Assert.True(maxAbs < 1e-4, $"row {rows[r]} differs from the classifier's features of digit {rows[r]} by {maxAbs:E2}");
        }
    }
}
