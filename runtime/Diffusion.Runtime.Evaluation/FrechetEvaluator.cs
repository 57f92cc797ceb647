using Diffusion.Runtime.Generation;

namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// Scores image samples FID-style: the squared Fréchet distance between the classifier features
/// of the samples and those of the real reference images, beside its floor, the distance of as
/// many real held-out images (so both carry the same small-sample bias); for labelled samples, the
/// share the classifier reads as the label each was generated for. Owns the classifier.
/// </summary>
public sealed class FrechetEvaluator : ISampleEvaluator
{
    private readonly ImageClassifier _classifier;
    private readonly RealFeatures _real;
    private readonly double _dataMin, _dataMax;
    private readonly double _floor;

    /// <summary>Checks that the model's samples are the classifier's images and computes the floor for <paramref name="sampleCount"/> samples.</summary>
    /// <param name="reference">The reference's name, for reports.</param>
    /// <param name="classifier">The feature classifier; disposed with this evaluator.</param>
    /// <param name="real">The real images' features, from the same classifier.</param>
    /// <param name="sampleShape">The shape of the model's samples.</param>
    /// <param name="dataMin">The low end of the model's data range.</param>
    /// <param name="dataMax">The high end of the model's data range.</param>
    /// <param name="sampleCount">How many samples will be scored at a time: the floor uses as many held-out images, as far as there are.</param>
    public FrechetEvaluator(string reference, ImageClassifier classifier, RealFeatures real, SampleShape sampleShape, double dataMin, double dataMax, int sampleCount)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(real);
        if (sampleShape != classifier.ImageShape)
            throw new DiffusionModelException(
                $"the model's samples are {sampleShape}, but the classifier {classifier.ModelPath} takes {classifier.ImageShape} images: " +
                $"--reference {reference} scores models of those images only; pick the reference of the model's data.");
        if (real.Dimension != classifier.FeatureDimension)
            throw new DiffusionModelException($"real-image features {real.Path} have {real.Dimension} values per row, but the classifier gives {classifier.FeatureDimension}: use the features made with this classifier.");
        if (sampleCount < 2) throw new DiffusionModelException($"a Fréchet distance needs at least 2 samples, got a count of {sampleCount}.");
        Reference = reference;
        _classifier = classifier;
        _real = real;
        (_dataMin, _dataMax) = (dataMin, dataMax);
        int floorCount = Math.Min(sampleCount, real.HeldOutCount);
        if (floorCount < sampleCount)
            Notes = [$"the floor uses {floorCount} held-out real images, all {real.Path} holds, not {sampleCount}: it carries less small-sample bias than the samples' FD."];
        _floor = FrechetDistance.Between(FeatureStatistics.Of(real.HeldOut(floorCount), real.Dimension), real.Reference);
    }

    /// <inheritdoc />
    public string Reference { get; }

    /// <inheritdoc />
    public string Metric => "fd";

    /// <inheritdoc />
    public IReadOnlyList<string> Notes { get; } = [];

    /// <inheritdoc />
    public SampleScore Evaluate(GeneratedSamples samples, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        foreach (int label in samples.Labels?.Distinct() ?? [])
        {
            if (label < 0 || label >= _classifier.ClassCount)
                throw new DiffusionModelException($"class {label} is not one of the classifier's classes 0 to {_classifier.ClassCount - 1}.");
        }
        var outputs = _classifier.Run(ToClassifierRange(samples.Data), samples.Count, cancellation);
        var statistics = FeatureStatistics.Of(outputs.Features, outputs.FeatureDimension);
        return new SampleScore(Metric, FrechetDistance.Between(statistics, _real.Reference))
        {
            Floor = _floor,
            ClassAccuracy = samples.Labels is { } labels ? outputs.Accuracy(labels) : null,
        };
    }

    /// <summary>
    /// Samples clamped to the model's data range (as writing them as images would) and mapped
    /// linearly onto the classifier's.
    /// </summary>
    private float[] ToClassifierRange(float[] data)
    {
        double scale = (_classifier.Config.DataMax - _classifier.Config.DataMin) / (_dataMax - _dataMin);
        var mapped = new float[data.Length];
        for (int i = 0; i < data.Length; i++)
            mapped[i] = (float)(_classifier.Config.DataMin + (Math.Clamp(data[i], _dataMin, _dataMax) - _dataMin) * scale);
        return mapped;
    }

    /// <inheritdoc />
    public void Dispose() => _classifier.Dispose();
}
