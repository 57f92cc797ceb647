using Diffusion.Runtime.Generation;

namespace Diffusion.Runtime.Evaluation;

/// <summary>Scores generated samples against a reference distribution. Create one with <see cref="EvaluationReferences.Create"/>.</summary>
public interface ISampleEvaluator : IDisposable
{
    /// <summary>The reference's name (<c>mnist</c>, <c>ring</c>).</summary>
    string Reference { get; }

    /// <summary>The metric of <see cref="SampleScore.Distance"/>: <c>fd</c> or <c>mmd2</c>.</summary>
    string Metric { get; }

    /// <summary>One-line remarks on how the figures were made (e.g. a floor computed on fewer images than the samples).</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Scores <paramref name="samples"/>, each against the class it was generated for (<see cref="GeneratedSamples.Labels"/>) when labelled.</summary>
    SampleScore Evaluate(GeneratedSamples samples, CancellationToken cancellation = default);
}
