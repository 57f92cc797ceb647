using Diffusion.Torch;

namespace Diffusion.Training.Objectives;

/// <summary>
/// The randomness of one loss evaluation: a time of the noise process for every sample (a training
/// index, a noise level's time or t in [eps, 1], in the schedule's own units) and the standard normal
/// noise, shaped like the batch.
/// </summary>
/// <param name="Times">One schedule time per sample.</param>
/// <param name="Noise">eps ~ N(0, I), shaped like the clean batch.</param>
public sealed record TrainingNoise(double[] Times, Tensor Noise);
