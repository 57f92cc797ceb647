using Diffusion.Training.Data.Sampling;

namespace Diffusion.Training.Data.Toy;

/// <summary>The bounded Gaussian noise of the moons and the swiss roll, which keeps them inside [-1, 1].</summary>
internal static class ToyNoise
{
    /// <summary>Noise is truncated at this many standard deviations.</summary>
    public const double TruncationStds = 3;

    public static double Validate(double noise)
    {
        if (!double.IsFinite(noise) || noise < 0 || noise * TruncationStds >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(noise), $"Noise std {noise} is invalid; pass a value in [0, 1/3) so the shape still fits in [-1, 1].");
        }

        return noise;
    }

    public static double Draw(ref SeededRandom random, double std) =>
        std == 0 ? 0 : std * random.NextTruncatedGaussian(TruncationStds);
}
