using Diffusion.Runtime.Models;

namespace Diffusion.Runtime.Evaluation;

/// <summary>What an evaluator needs beyond the model: the sample count, and the classifier files of image references.</summary>
public sealed record EvaluatorOptions
{
    /// <summary>How many samples each evaluation scores (sets the floor's image count).</summary>
    public int SampleCount { get; init; } = 1000;

    /// <summary>The feature classifier of an image reference (<c>models/mnist-classifier.onnx</c> for mnist).</summary>
    public string? ClassifierPath { get; init; }

    /// <summary>The real images' features; null takes <see cref="EvaluationReferences.MnistFeaturesFile"/> beside the classifier.</summary>
    public string? FeaturesPath { get; init; }

    /// <summary>How to load the classifier (device, threads).</summary>
    public ModelLoadOptions Load { get; init; } = new();
}
