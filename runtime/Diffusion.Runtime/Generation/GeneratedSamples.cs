namespace Diffusion.Runtime.Generation;

/// <summary>Generated samples, [Count, C, H, W] flattened, with what it took.</summary>
/// <param name="Data">The samples.</param>
/// <param name="Count">Number of samples.</param>
/// <param name="Shape">Shape of one sample.</param>
/// <param name="ModelEvaluations">Model evaluations per sample (NFE).</param>
public sealed record GeneratedSamples(float[] Data, int Count, SampleShape Shape, int ModelEvaluations)
{
    /// <summary>The shape of <see cref="Data"/> as [N, C, H, W].</summary>
    public int[] TensorShape => [Count, Shape.Channels, Shape.Height, Shape.Width];

    /// <summary>The name of the sampler that ran.</summary>
    public string Sampler { get; init; } = "";

    /// <summary>The request that made the samples (sampler, steps, seed, labels, guidance).</summary>
    public GenerationOptions? Options { get; init; }

    /// <summary>The class label each sample was generated for (<see cref="Count"/> of them), or null when unconditional.</summary>
    public IReadOnlyList<int>? Labels { get; init; }
}
