using Diffusion.Training.Data.Sampling;

namespace Diffusion.Training.Data.Toy;

/// <summary>
/// The 2-D swiss roll (a spiral, as in scikit-learn's make_swiss_roll seen from above):
/// (t cos t, t sin t) with t uniform in [1.5 pi, 4.5 pi]. The spiral lies within radius 4.5 pi,
/// and is scaled by <see cref="Scale"/> = (1 - 3 noise) / (4.5 pi); then Gaussian noise of std
/// <see cref="Noise"/>, truncated at 3 std, is added: every point lies in [-1, 1]. Unlabelled.
/// </summary>
public sealed class SwissRoll : ToyDistribution
{
    /// <summary>The smallest angle t.</summary>
    public const double StartAngle = 1.5 * Math.PI;

    /// <summary>The largest angle t, which is also the spiral's largest radius.</summary>
    public const double EndAngle = 4.5 * Math.PI;

    /// <summary>Creates the roll.</summary>
    /// <param name="noise">The std of the added noise, in [0, 1/3).</param>
    public SwissRoll(double noise = 0.05)
    {
        Noise = ToyNoise.Validate(noise);
    }

    /// <inheritdoc/>
    public override string Name => "swissroll";

    /// <summary>The std of the noise (truncated at 3 std).</summary>
    public double Noise { get; }

    /// <summary>The factor the spiral is scaled by.</summary>
    public double Scale => (1 - ToyNoise.TruncationStds * Noise) / EndAngle;

    /// <summary>Exactly [-1, 1].</summary>
    public override DataRange Range => DataRange.Symmetric;

    private protected override (double X, double Y, int Label) Draw(ref SeededRandom random, int index)
    {
        double t = StartAngle + (EndAngle - StartAngle) * random.NextDouble();
        (double sin, double cos) = Math.SinCos(t);
        return (
            t * cos * Scale + ToyNoise.Draw(ref random, Noise),
            t * sin * Scale + ToyNoise.Draw(ref random, Noise),
            0);
    }
}
