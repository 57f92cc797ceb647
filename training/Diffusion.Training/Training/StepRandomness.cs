namespace Diffusion.Training.Training;

/// <summary>
/// The seed of training step k's generators, a pure function of (run seed, k). The trainer draws all
/// of step k's randomness (label dropout, times, noise, and dropout through the global generator)
/// from generators seeded with it, so the random state a checkpoint needs is just the seed and the
/// step, and a resumed run draws exactly what the uninterrupted run would have.
/// </summary>
public static class StepRandomness
{
    /// <summary>The stream of a step's explicit generator: label dropout, times and noise.</summary>
    public const ulong NoiseStream = 0;

    /// <summary>The stream the global generator is reseeded from at every step (the networks' dropout).</summary>
    public const ulong DropoutStream = 1;

    /// <summary>The stream of the initial weights (drawn at step 0).</summary>
    public const ulong InitStream = 2;

    /// <summary>The seed of step <paramref name="step"/> of the run seeded with <paramref name="seed"/>.</summary>
    public static ulong Seed(ulong seed, long step, ulong stream = 0) =>
        Mix(seed ^ Mix((ulong)step * 0xD1B54A32D192ED03UL + 0x9E3779B97F4A7C15UL) ^ Mix(stream + 0x632BE59BD9B4E019UL));

    /// <summary>The SplitMix64 finaliser (Steele, Lea &amp; Flood 2014).</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
