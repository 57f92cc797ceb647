using Diffusion.Runtime.Evaluation;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Models;

/// <summary>
/// The shipped MNIST models judged by the shipped classifier (models/mnist-classifier.onnx, 98.3% on held-out
/// digits): what a user of each model relies on. The full quality table is docs/quality.md.
/// </summary>
public class ShippedQualityTests
{
    private static readonly ModelLoadOptions Cpu = new() { Device = "cpu" };

    private static ISampleEvaluator Mnist(IDiffusionModel model, int count) => EvaluationReferences.Create("mnist", model, new EvaluatorOptions
    {
        SampleCount = count,
        ClassifierPath = Path.Combine(RepositoryPaths.Models, "mnist-classifier.onnx"),
        FeaturesPath = Path.Combine(RepositoryPaths.Models, "mnist-features.npy"),
        Load = Cpu,
    });

    [Fact]
    public void MnistCondWithGuidanceDrawsTheRequestedDigitsFarAboveChance()
    {
        using var model = OnnxDiffusionModel.Load(Path.Combine(RepositoryPaths.Models, "mnist-cond.onnx"), Cpu);
        using var evaluator = Mnist(model, 40);
        var options = new GenerationOptions
        {
            Sampler = "ddim", Steps = 20, Count = 40, Seed = 3, ClassLabels = Enumerable.Range(0, 10).ToArray(), GuidanceScale = 3,
        };

        var guided = evaluator.Evaluate(Generator.Generate(model, options));

        // Every digit 4 times; a classifier guessing would be right 10% of the time.
        Assert.True(guided.ClassAccuracy >= 0.8, $"guided (w = 3) samples show the requested digit {guided.ClassAccuracy:P0} of the time");
    }

    [Fact]
    public void MnistDdpmSamplesLieCloserToRealDigitsThanTheSameSamplesBlurredByNoise()
    {
        using var model = OnnxDiffusionModel.Load(Path.Combine(RepositoryPaths.Models, "mnist-ddpm.onnx"), Cpu);
        using var evaluator = Mnist(model, 64);
        var samples = Generator.Generate(model, new GenerationOptions { Sampler = "ddim", Steps = 20, Count = 64, Seed = 5 });
        var random = new Random(1);
        var noisy = samples with { Data = samples.Data.Select(v => v + (float)(0.5 * StableMath.NextGaussian(random))).ToArray() };

        var clean = evaluator.Evaluate(samples);
        var blurred = evaluator.Evaluate(noisy);

        // At 64 images most of an FD is small-sample bias, which the floor (real digits, as many) measures: compare the excess.
        double floor = clean.Floor!.Value;
        Assert.True(clean.Distance - floor < 0.5 * (blurred.Distance - floor),
            $"FD {clean.Distance:F1} of the samples, {blurred.Distance:F1} with noise of std 0.5 (floor {floor:F1})");
    }
}
