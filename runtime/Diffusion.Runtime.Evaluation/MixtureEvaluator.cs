using Diffusion.Runtime.Generation;

namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// Scores low-dimensional samples against a known <see cref="IsotropicMixture"/>: the exact
/// squared MMD (<see cref="MixtureMmd"/>, Gaussian kernel of bandwidth h = the smallest component
/// std, the scale at which a sampler's errors show) and the fraction of samples within 3 std of a
/// component. Labelled samples (class k = component k) are compared with the labelled components,
/// weighted by how many samples each label has: one class is its component alone.
/// </summary>
public sealed class MixtureEvaluator : ISampleEvaluator
{
    private readonly IsotropicMixture _mixture;

    /// <summary>Checks that the model's samples are points of the mixture's dimension.</summary>
    /// <param name="reference">The reference's name, for reports.</param>
    /// <param name="mixture">The exact distribution.</param>
    /// <param name="sampleShape">The shape of the model's samples.</param>
    public MixtureEvaluator(string reference, IsotropicMixture mixture, SampleShape sampleShape)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        if (sampleShape.Size != mixture.Dimension)
            throw new DiffusionModelException(
                $"the model's samples are {sampleShape} ({sampleShape.Size} values), but --reference {reference} is a distribution of " +
                $"{mixture.Dimension}-D points: pick the reference of the model's data.");
        Reference = reference;
        _mixture = mixture;
        Bandwidth = mixture.Stds.Min();
    }

    /// <inheritdoc />
    public string Reference { get; }

    /// <inheritdoc />
    public string Metric => "mmd2";

    /// <summary>The MMD kernel's bandwidth h.</summary>
    public double Bandwidth { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Notes => [$"mmd2: unbiased squared MMD to the exact {Reference} distribution, Gaussian kernel h = {Bandwidth:G3} (can dip below 0 for a perfect sampler)."];

    /// <inheritdoc />
    public SampleScore Evaluate(GeneratedSamples samples, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        cancellation.ThrowIfCancellationRequested();
        var reference = samples.Labels is { } labels ? _mixture.ForLabels(labels) : _mixture;
        return new SampleScore(Metric, MixtureMmd.Squared(samples.Data, reference, Bandwidth))
        {
            WithinThreeStd = reference.FractionWithin(samples.Data, 3),
        };
    }

    /// <inheritdoc />
    public void Dispose() { }
}
