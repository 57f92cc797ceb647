namespace Diffusion.Runtime.Evaluation;

/// <summary>How good a set of generated samples is, by one <see cref="ISampleEvaluator"/>.</summary>
/// <param name="Metric">What <paramref name="Distance"/> is: <c>fd</c> (squared Fréchet distance of classifier features) or <c>mmd2</c> (squared MMD to the exact distribution).</param>
/// <param name="Distance">The distance to the reference; lower is better.</param>
public sealed record SampleScore(string Metric, double Distance)
{
    /// <summary>The same distance for as many real held-out images: what a perfect model would score. Null when there is none.</summary>
    public double? Floor { get; init; }

    /// <summary>The fraction of samples the classifier assigns to the requested class, when a class was requested.</summary>
    public double? ClassAccuracy { get; init; }

    /// <summary>The fraction of samples within 3 standard deviations of a reference component (mixture references).</summary>
    public double? WithinThreeStd { get; init; }
}
