using Diffusion.Runtime;
using Diffusion.Training.Classification;
using Diffusion.Training.Networks;
using Xunit.Abstractions;

namespace Diffusion.Training.Tests.Classification;

public class ClassifierTrainingTests(MnistDigits mnist, ITestOutputHelper output) : IClassFixture<MnistDigits>
{
    private Data.Dataset Subset => mnist.Thousand;

    private static ClassifierTrainingOptions Short(long steps) => MnistDigits.Short(steps);

    [Fact]
    public void AShortRunOnAThousandDigitsClassifiesHeldOutDigitsFarAboveChance()
    {
        using var trainer = new ClassifierTrainer(MnistDigits.Small, Subset, Short(150));
        var result = trainer.Train();
        output.WriteLine($"held-out accuracy {result.HeldoutAccuracy:P1} after {result.Steps} steps ({result.Elapsed.TotalSeconds:F1} s), loss {result.Loss:F3}");
        Assert.Equal((800, 200), (trainer.TrainSet.Count, trainer.HeldoutSet!.Count));
        Assert.Equal(150, result.Steps);
        Assert.True(result.HeldoutAccuracy >= 0.75, $"held-out accuracy {result.HeldoutAccuracy:P1} is not far above the 10% of chance");
        Assert.True(result.Loss < 1.0, $"the loss {result.Loss} did not fall from about ln 10 = 2.3");
    }

    [Fact]
    public void TheMetadataDescribesTheNetworkAndTheRun()
    {
        using var trainer = new ClassifierTrainer(MnistDigits.Small, Subset, Short(2) with { Seed = 9 });
        trainer.Train();
        var metadata = trainer.Metadata("mnist");
        Assert.Equal((10, 32, "mnist", 800, 200, 2L, 9UL), (metadata.NumClasses, metadata.FeatureDim, metadata.Dataset, metadata.TrainImages, metadata.HeldoutImages, metadata.Steps, metadata.Seed));
        Assert.Equal([1, 28, 28], metadata.ImageShape);
        Assert.Equal([-1.0, 1.0], metadata.DataRange);
        Assert.Equal(trainer.HeldoutAccuracy, metadata.HeldoutAccuracy);
        Assert.InRange(metadata.HeldoutAccuracy!.Value, 0, 1);
    }

    [Fact]
    public void DataWithoutLabelsOrOfAnotherShapeIsRefusedSayingWhy()
    {
        var ring = new Training.DatasetSpec { Name = "ring", ToyCount = 50 }.Load();
        var unlabelled = new Data.Dataset("plain", ring.Data, ring.Shape, ring.Range);
        Assert.Contains("has none", Assert.ThrowsAny<DiffusionException>(() => new ClassifierTrainer(MnistDigits.Small, unlabelled, Short(1))).Message);
        Assert.Contains("[2, 1, 1]", Assert.ThrowsAny<DiffusionException>(() => new ClassifierTrainer(MnistDigits.Small with { NumClasses = ring.ClassCount }, ring, Short(1))).Message);
        Assert.Contains("classes", Assert.ThrowsAny<DiffusionException>(() => new ClassifierTrainer(MnistDigits.Small with { NumClasses = 5 }, Subset, Short(1))).Message);
        Assert.Contains("FeatureDim", Assert.ThrowsAny<DiffusionException>(() => new ClassifierTrainer(MnistDigits.Small with { FeatureDim = 0 }, Subset, Short(1))).Message);
    }
}
