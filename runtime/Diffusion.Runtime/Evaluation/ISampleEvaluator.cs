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

    /// <summary>Scores <paramref name="samples"/>; <paramref name="classLabel"/> is the class they were generated for, or null.</summary>
    SampleScore Evaluate(GeneratedSamples samples, int? classLabel, CancellationToken cancellation = default);
}
