using Diffusion.Runtime.Generation;

namespace Diffusion.Runtime.Evaluation;

/// <summary>The reference distributions samples can be scored against, by name: <c>mnist</c> and <c>ring</c>.</summary>
public static class EvaluationReferences
{
    /// <summary>MNIST digits: Fréchet distance in the features of the shipped MNIST classifier.</summary>
    public const string Mnist = "mnist";

    /// <summary>The ring of 8 Gaussians the ring models learn: exact MMD and the within-3-std fraction.</summary>
    public const string Ring = "ring";

    /// <summary>The file name of the MNIST classifier in models/.</summary>
    public const string MnistClassifierFile = "mnist-classifier.onnx";

    /// <summary>The file name of the real MNIST features, beside the classifier.</summary>
    public const string MnistFeaturesFile = "mnist-features.npy";

    /// <summary>Every reference name.</summary>
    public static IReadOnlyList<string> Names { get; } = [Mnist, Ring];

    /// <summary>
    /// The reference to use: <paramref name="requested"/> when given, else the model's own
    /// <paramref name="modelDataset"/> (its <c>dataset</c> metadata).
    /// </summary>
    /// <exception cref="DiffusionException">The name is unknown, or none is given and the model names none.</exception>
    public static string Choose(string? requested, string? modelDataset)
    {
        string choices = string.Join("|", Names);
        if (requested is not null)
            return Names.FirstOrDefault(n => string.Equals(n, requested.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new DiffusionModelException($"unknown reference '{requested}': use --reference {choices}.");
        if (modelDataset is null)
            throw new DiffusionModelException($"the model does not say what data it was trained on (no 'dataset' in its metadata_props): pass --reference {choices}.");
        return Names.FirstOrDefault(n => string.Equals(n, modelDataset, StringComparison.OrdinalIgnoreCase))
            ?? throw new DiffusionModelException($"the model was trained on '{modelDataset}', which has no reference to score against: pass --reference {choices} to use one of those.");
    }

    /// <summary>The evaluator of <paramref name="reference"/> for samples of <paramref name="model"/>; checks the model fits it, and computes any floor, before any sampling.</summary>
    public static ISampleEvaluator Create(string reference, IDiffusionModel model, EvaluatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return Choose(reference, null) switch
        {
            Mnist => CreateMnist(model, options),
            _ => new MixtureEvaluator(Ring, IsotropicMixture.Ring, model.SampleShape),
        };
    }

    private static FrechetEvaluator CreateMnist(IDiffusionModel model, EvaluatorOptions options)
    {
        string classifierPath = options.ClassifierPath
            ?? throw new DiffusionModelException("--reference mnist needs the MNIST classifier: pass --classifier PATH.");
        if (!File.Exists(classifierPath))
            throw new DiffusionModelException(
                $"the MNIST classifier {classifierPath} does not exist: it ships as models/{MnistClassifierFile} with models/{MnistFeaturesFile}, " +
                "which the build copies next to the binaries (models/README.md gives the command that trains them); " +
                "add them and rebuild, or pass --classifier PATH and --features PATH.");
        string featuresPath = options.FeaturesPath ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(classifierPath))!, MnistFeaturesFile);
        var classifier = ImageClassifier.Load(classifierPath, options.Load);
        try
        {
            var real = RealFeatures.Read(featuresPath, classifier.FeatureDimension);
            return new FrechetEvaluator(Mnist, classifier, real, model.SampleShape, model.Config.DataMin, model.Config.DataMax, options.SampleCount);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }
}
