namespace Diffusion.Training.Data.Sampling;

/// <summary>
/// Everything a <see cref="MinibatchSampler"/> needs to continue exactly where it stopped: its
/// seed and the number of batches drawn so far. Store both in a checkpoint to resume.
/// </summary>
/// <param name="Seed">The seed the epoch shuffles are drawn from.</param>
/// <param name="Step">The number of batches drawn so far (the next batch's step).</param>
public readonly record struct SamplerState(long Seed, long Step);
