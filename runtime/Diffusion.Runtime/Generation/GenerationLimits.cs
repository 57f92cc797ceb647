namespace Diffusion.Runtime.Generation;

/// <summary>
/// Upper bounds a generation is checked against before anything is allocated or run, so a request
/// cannot exhaust memory or run for hours by accident. Every size is computed in 64-bit
/// arithmetic. Raise a limit by passing a copy with the member changed.
/// </summary>
public sealed record GenerationLimits
{
    /// <summary>The defaults: 10,000 samples, 10,000 steps, batches of 1,024, 100,000 model evaluations per sample, 4 GiB.</summary>
    public static GenerationLimits Default { get; } = new();

    /// <summary>Most samples one generation may ask for.</summary>
    public int MaxCount { get; init; } = 10_000;

    /// <summary>Most steps (noisy points on the path, noise levels for Langevin).</summary>
    public int MaxSteps { get; init; } = 10_000;

    /// <summary>Most samples per model call.</summary>
    public int MaxBatchSize { get; init; } = 1_024;

    /// <summary>Most model evaluations per sample (steps times the sampler's evaluations per step).</summary>
    public long MaxModelEvaluations { get; init; } = 100_000;

    /// <summary>
    /// Most bytes of managed memory a generation may hold: the result (count x sample size floats)
    /// plus a batch's working buffers (<see cref="BuffersPerBatch"/> batch-sized float arrays).
    /// </summary>
    public long MaxMemoryBytes { get; init; } = 4L << 30;

    /// <summary>Batch-sized float buffers a generation holds at once: the sample, sampler scratch, denoiser input and output, noise.</summary>
    public const int BuffersPerBatch = 8;

    /// <summary>Bytes a generation of <paramref name="count"/> samples of <paramref name="sampleSize"/> values in batches of <paramref name="batchSize"/> holds.</summary>
    public static long MemoryBytes(long count, long sampleSize, long batchSize) =>
        checked(sizeof(float) * sampleSize * (count + BuffersPerBatch * batchSize));
}
