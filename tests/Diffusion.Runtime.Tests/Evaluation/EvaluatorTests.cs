using Diffusion.Runtime.Evaluation;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Evaluation;

/// <summary>
/// The evaluators on samples whose quality is known: real draws score near the floor, noise
/// raises the score step by step, the requested class is recognised, and a model of the wrong
/// shape or a missing file is refused before any sampling.
/// </summary>
public sealed class EvaluatorTests : IDisposable
{
    private static readonly SampleShape Digit = new(1, 28, 28);
    private static readonly ExactMixtureModel DigitsModel = new(TinyMnist.Digits, ExactMixtureModel.Configs["discrete"]);
    private static readonly ExactMixtureModel RingModel = new(StandardMixtures.Ring, ExactMixtureModel.Configs["discrete"]);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private FrechetEvaluator Mnist(int sampleCount, int featureRows = 2000)
    {
        var classifier = ImageClassifier.Load(TinyMnist.SaveClassifier(_folder.File("c.onnx")), new ModelLoadOptions { Device = "cpu" });
        var real = RealFeatures.Read(TinyMnist.SaveFeatures(_folder.File("f.npy"), featureRows), TinyMnist.FeatureDim);
        return new FrechetEvaluator("mnist", classifier, real, Digit, -1, 1, sampleCount);
    }

    private static GeneratedSamples Samples(float[] data, SampleShape shape, int? label = null) =>
        new(data, data.Length / shape.Size, shape, 1) { Labels = label is { } k ? Enumerable.Repeat(k, data.Length / shape.Size).ToArray() : null };

    [Fact]
    public void RealDrawsScoreNearTheFloorAndNoiseRaisesTheDistance()
    {
        using var evaluator = Mnist(500);
        var clean = TinyMnist.Draw(500, seed: 9);
        var random = new Random(10);
        var noise = clean.Select(_ => (float)StableMath.NextGaussian(random)).ToArray();

        var scores = new[] { 0.0, 0.1, 0.2, 0.4 }.Select(std =>
            evaluator.Evaluate(Samples(clean.Select((v, i) => v + (float)std * noise[i]).ToArray(), Digit))).ToArray();

        double floor = scores[0].Floor!.Value;
        Assert.True(floor > 0, "the floor of 500 held-out images carries small-sample bias");
        // Both the floor and the real draws' FD carry sampling noise of their own (chi-square-like); real draws must sit
        // near the floor on the scale by which visibly noisy images (std 0.4) exceed it.
        Assert.True(Math.Abs(scores[0].Distance - floor) < (scores[3].Distance - floor) / 4,
            $"real draws: FD {scores[0].Distance}, floor {floor}, noisy (0.4) {scores[3].Distance}");
        for (int i = 1; i < scores.Length; i++)
            Assert.True(scores[i].Distance > scores[i - 1].Distance, $"FD at noise step {i}: [{string.Join(", ", scores.Select(s => s.Distance))}]");
        Assert.True(scores[^1].Distance > 5 * floor, $"FD {scores[^1].Distance} at noise 0.4, floor {floor}");
        Assert.All(scores, s => Assert.Null(s.ClassAccuracy));
    }

    [Fact]
    public void IdenticalFeaturesAsSamplesAreAtTheReference()
    {
        // The reference rows themselves, as generated samples, are at distance ~0.
        using var evaluator = Mnist(1000, featureRows: 2000);
        var reference = TinyMnist.Draw(2000, seed: 1).Where((_, i) => i / TinyMnist.Pixels % 2 == 0).ToArray();

        var score = evaluator.Evaluate(Samples(reference, Digit));

        Assert.True(score.Distance < 1e-6 * score.Floor, $"FD {score.Distance} of the reference images, floor {score.Floor}");
    }

    [Fact]
    public void ClassAccuracyIsTheShareOfTheRequestedDigit()
    {
        using var evaluator = Mnist(100);
        var threes = TinyMnist.Draw(100, seed: 4, digit: 3);

        Assert.Equal(1.0, evaluator.Evaluate(Samples(threes, Digit, 3)).ClassAccuracy);
        Assert.Equal(0.0, evaluator.Evaluate(Samples(threes, Digit, 7)).ClassAccuracy);
    }

    [Fact]
    public void FloorOfMoreSamplesThanHeldOutImagesSaysSo()
    {
        using var evaluator = Mnist(sampleCount: 300, featureRows: 400);

        var note = Assert.Single(evaluator.Notes);
        Assert.StartsWith("the floor uses 200 held-out real images, all ", note);
    }

    [Fact]
    public void HeldOutRowsSpreadOverAFileStoredClassByClass()
    {
        // 1,000 rows: the first half one class (features all 0), the second another (all 1), like the shipped file.
        const int rows = 1000, d = 3;
        string path = _folder.File("sorted.npy");
        NpyFile.Write(path, Enumerable.Range(0, rows * d).Select(i => i / d < rows / 2 ? 0f : 1f).ToArray(), [rows, d]);
        var real = RealFeatures.Read(path, d);

        foreach (int count in new[] { 10, 50, 500 })
        {
            var heldOut = real.HeldOut(count);
            Assert.Equal(count * d, heldOut.Length);
            Assert.Equal(0.5, heldOut.Average(), 2); // both classes in equal shares, not the first rows' class alone
        }
        Assert.Equal(0.5, FeatureStatistics.Of(real.HeldOut(50), d).Mean[0], 2);
    }

    [Fact]
    public void ModelOfOtherShapeIsRefused()
    {
        using var classifier = ImageClassifier.Load(TinyMnist.SaveClassifier(_folder.File("c.onnx")), new ModelLoadOptions { Device = "cpu" });
        var real = RealFeatures.Read(TinyMnist.SaveFeatures(_folder.File("f.npy"), 100), TinyMnist.FeatureDim);

        var e = Assert.ThrowsAny<DiffusionException>(() => new FrechetEvaluator("mnist", classifier, real, new SampleShape(2, 1, 1), -1, 1, 10));

        Assert.Equal($"the model's samples are [2, 1, 1], but the classifier {classifier.ModelPath} takes [1, 28, 28] images: " +
            "--reference mnist scores models of those images only; pick the reference of the model's data.", e.Message);
    }

    [Fact]
    public void FeaturesOfAnotherClassifierAreRefused()
    {
        string path = _folder.File("f.npy");
        Diffusion.Runtime.IO.NpyFile.Write(path, new float[40 * 5], [40, 5]);

        var e = Assert.ThrowsAny<DiffusionException>(() => RealFeatures.Read(path, 8));

        Assert.Equal($"real-image features {path} have shape [40, 5], but the classifier gives 8 features per image: use the features file made with this classifier ([N, 8]).", e.Message);
    }

    [Fact]
    public void RingEvaluatorScoresRingDrawsAsGood()
    {
        using var evaluator = EvaluationReferences.Create("ring", RingModel, new EvaluatorOptions());
        var random = new Random(3);
        var draws = StandardMixtures.Ring.Sample(random, 2000).SelectMany(x => x.Select(v => (float)v)).ToArray();

        var score = evaluator.Evaluate(Samples(draws, new SampleShape(2, 1, 1)));

        Assert.Equal("mmd2", score.Metric);
        Assert.True(Math.Abs(score.Distance) < 3e-4, $"MMD^2 {score.Distance}");
        Assert.Equal(0.98889, score.WithinThreeStd!.Value, 0.01);
        Assert.Null(score.Floor);
    }

    [Fact]
    public void RingEvaluatorWithAClassScoresAgainstThatComponent()
    {
        using var evaluator = EvaluationReferences.Create("ring", RingModel, new EvaluatorOptions());
        var random = new Random(4);
        var draws = StandardMixtures.Ring.Component(2).Sample(random, 1000).SelectMany(x => x.Select(v => (float)v)).ToArray();

        var asTwo = evaluator.Evaluate(Samples(draws, new SampleShape(2, 1, 1), 2));
        var asFive = evaluator.Evaluate(Samples(draws, new SampleShape(2, 1, 1), 5));

        Assert.True(asTwo.WithinThreeStd > 0.97 && asFive.WithinThreeStd == 0, $"{asTwo.WithinThreeStd}, {asFive.WithinThreeStd}");
        Assert.True(asFive.Distance > 100 * Math.Abs(asTwo.Distance), $"{asTwo.Distance}, {asFive.Distance}");
    }

    [Fact]
    public void RingEvaluatorWithMixedLabelsScoresEachAgainstTheLabelledComponents()
    {
        using var evaluator = EvaluationReferences.Create("ring", RingModel, new EvaluatorOptions());
        var ring = StandardMixtures.Ring;
        var random = new Random(6);
        var draws = ring.Component(1).Sample(random, 600).Concat(ring.Component(6).Sample(random, 600)).SelectMany(x => x.Select(v => (float)v)).ToArray();
        GeneratedSamples Labelled(int first, int second) =>
            new(draws, 1200, new SampleShape(2, 1, 1), 1) { Labels = [.. Enumerable.Repeat(first, 600), .. Enumerable.Repeat(second, 600)] };

        var right = evaluator.Evaluate(Labelled(1, 6));
        var wrong = evaluator.Evaluate(Labelled(2, 5));

        Assert.True(right.WithinThreeStd > 0.97 && wrong.WithinThreeStd == 0, $"{right.WithinThreeStd}, {wrong.WithinThreeStd}");
        Assert.True(wrong.Distance > 100 * Math.Abs(right.Distance), $"{right.Distance}, {wrong.Distance}");
    }

    [Fact]
    public void RingReferenceRefusesImages()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => EvaluationReferences.Create("ring", DigitsModel, new EvaluatorOptions()));

        Assert.Equal("the model's samples are [784, 1, 1] (784 values), but --reference ring is a distribution of 2-D points: pick the reference of the model's data.", e.Message);
    }

    [Fact]
    public void MissingClassifierNamesTheFileAndHowToGetIt()
    {
        string path = _folder.File("mnist-classifier.onnx");

        var e = Assert.ThrowsAny<DiffusionException>(() => EvaluationReferences.Create("mnist", DigitsModel,
            new EvaluatorOptions { ClassifierPath = path }));

        Assert.StartsWith($"the MNIST classifier {path} does not exist: it ships as models/mnist-classifier.onnx with models/mnist-features.npy", e.Message);
        Assert.EndsWith("or pass --classifier PATH and --features PATH.", e.Message);
    }

    [Fact]
    public void MissingFeaturesBesideTheClassifierNamesThem()
    {
        string classifier = TinyMnist.SaveClassifier(_folder.File("c.onnx"));

        var e = Assert.ThrowsAny<DiffusionException>(() => EvaluationReferences.Create("mnist", DigitsModel,
            new EvaluatorOptions { ClassifierPath = classifier, Load = new ModelLoadOptions { Device = "cpu" } }));

        Assert.StartsWith($"real-image features {_folder.File("mnist-features.npy")} do not exist", e.Message);
    }

    [Theory]
    [InlineData("ring", null, "ring")]
    [InlineData("MNIST", "ring", "mnist")]
    [InlineData(null, "mnist", "mnist")]
    [InlineData(null, "Ring", "ring")]
    public void ReferenceIsTheRequestedOneElseTheModelsDataset(string? requested, string? dataset, string expected) =>
        Assert.Equal(expected, EvaluationReferences.Choose(requested, dataset));

    [Theory]
    [InlineData("cifar", null, "unknown reference 'cifar': use --reference mnist|ring.")]
    [InlineData(null, null, "the model does not say what data it was trained on (no 'dataset' in its metadata_props): pass --reference mnist|ring.")]
    [InlineData(null, "moons", "the model was trained on 'moons', which has no reference to score against: pass --reference mnist|ring to use one of those.")]
    public void ReferenceThatCannotBeChosenIsAClearError(string? requested, string? dataset, string message) =>
        Assert.Equal(message, Assert.ThrowsAny<DiffusionException>(() => EvaluationReferences.Choose(requested, dataset)).Message);
}
