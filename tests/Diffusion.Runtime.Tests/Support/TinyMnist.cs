using System.Text.Json;
using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Models;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Support;

/// <summary>
/// A stand-in for MNIST whose every part is known, to test the evaluator end to end without the
/// real classifier: ten "digits" (one isotropic Gaussian per class in [1, 28, 28]: a fixed
/// +-0.5 pattern, std 0.15), the exact class-conditional diffusion model of them, a linear
/// classifier (features = x W with a fixed random W; logits = x . mu_k, the nearest-mean rule,
/// since every |mu_k| is equal) and the features file of real draws.
/// </summary>
internal static class TinyMnist
{
    public const int Classes = 10, FeatureDim = 8, Pixels = 28 * 28;
    public const double Std = 0.15;

    /// <summary>The ten digits.</summary>
    public static GaussianMixture Digits { get; } = new(
        Enumerable.Range(0, Classes).Select(k =>
        {
            var random = new Random(100 + k);
            return Enumerable.Range(0, Pixels).Select(_ => random.Next(2) == 0 ? -0.5 : 0.5).ToArray();
        }).ToArray(),
        Enumerable.Repeat(Std, Classes).ToArray());

    /// <summary>W, [784, 8]: the classifier's feature map.</summary>
    public static float[] FeatureWeights { get; } = RandomWeights(new Random(7), Pixels * FeatureDim, 1 / Math.Sqrt(Pixels));

    /// <summary>The exact diffusion model of the digits (DDPM schedule, no clipping), saved to <paramref name="path"/>.</summary>
    public static string SaveModel(string path, bool classConditional = true, string? dataset = "mnist")
    {
        var components = new MixtureComponents(Digits.Means.Select(m => m.ToArray()).ToArray(), Digits.Stds);
        GaussianMixtureModel.Build(components, new GaussianMixtureModelOptions
        {
            SampleShape = [1, 28, 28],
            Scheduler = new SchedulerConfig { ClipSample = false },
            ClassConditional = classConditional,
            Metadata = dataset is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["dataset"] = dataset },
        }).Save(path);
        return path;
    }

    /// <summary>
    /// The linear classifier, saved to <paramref name="path"/>, for images of <paramref name="imageShape"/>
    /// (default [1, 28, 28]); <paramref name="withFeatures"/> false leaves out the features output.
    /// </summary>
    public static string SaveClassifier(string path, int[]? imageShape = null, bool withFeatures = true, int? fixedBatch = null, string? config = null)
    {
        imageShape ??= [1, 28, 28];
        int pixels = imageShape.Aggregate(1, (a, b) => a * b);
        var g = new OnnxModelBuilder("tiny_classifier");
        g.Metadata["classifier_config"] = config ?? JsonSerializer.Serialize(new
        {
            num_classes = Classes, feature_dim = FeatureDim, image_shape = imageShape, data_range = new[] { -1, 1 }, dataset = "mnist", heldout_accuracy = 1.0,
        });
        Dim batch = fixedBatch is { } b ? b : "batch";
        var image = g.Input("image", ElementType.Float32, [batch, .. imageShape.Select(d => (Dim)d)]);
        var flat = g.Reshape(image, -1, pixels);
        var weights = pixels == Pixels ? FeatureWeights : RandomWeights(new Random(8), pixels * FeatureDim, 0.01);
        if (withFeatures)
            g.Output(g.MatMul(flat, g.Initializer("feature_weights", weights, [pixels, FeatureDim])), "features", ElementType.Float32, batch, FeatureDim);
        var means = pixels == Pixels
            ? Digits.Means.SelectMany(m => m.Select(v => (float)v)).ToArray()
            : new float[Classes * pixels];
        var logits = g.Node("Gemm", [flat, g.Initializer("class_means", means, [Classes, pixels])], OnnxAttribute.Int("transB", 1));
        g.Output(logits, "logits", ElementType.Float32, batch, Classes);
        g.Build().Save(path);
        return path;
    }

    /// <summary>The features x W of <paramref name="images"/> ([N, 784] row-major), as the classifier computes them.</summary>
    public static float[] Features(ReadOnlySpan<float> images)
    {
        int n = images.Length / Pixels;
        var features = new float[n * FeatureDim];
        for (int r = 0; r < n; r++)
            for (int i = 0; i < Pixels; i++)
            {
                float x = images[r * Pixels + i];
                for (int j = 0; j < FeatureDim; j++) features[r * FeatureDim + j] += x * FeatureWeights[i * FeatureDim + j];
            }
        return features;
    }

    /// <summary><paramref name="count"/> real draws of the digits (of <paramref name="digit"/> only, when given), clamped to [-1, 1] as images are.</summary>
    public static float[] Draw(int count, int seed, int? digit = null)
    {
        var random = new Random(seed);
        var mixture = digit is { } k ? Digits.Component(k) : Digits;
        return mixture.Sample(random, count).SelectMany(x => x.Select(v => (float)Math.Clamp(v, -1, 1))).ToArray();
    }

    /// <summary>The features of <paramref name="rows"/> real draws as a [rows, 8] .npy at <paramref name="path"/>.</summary>
    public static string SaveFeatures(string path, int rows, int seed = 1)
    {
        NpyFile.Write(path, Features(Draw(rows, seed)), [rows, FeatureDim]);
        return path;
    }

    private static float[] RandomWeights(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(scale * StableMath.NextGaussian(random))).ToArray();
}
