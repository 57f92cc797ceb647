using Diffusion.Training.Data.Sampling;

namespace Diffusion.Training.Data.Toy;

/// <summary>
/// Two interleaved half circles (the shape of scikit-learn's make_moons): the upper moon
/// (cos t, sin t) and the lower moon (1 - cos t, 1/2 - sin t), t uniform in [0, pi], moons taken
/// in turn (labels 0 and 1). The shape's bounding box [-1, 2] x [-1/2, 1] is centred on the origin
/// and scaled by <see cref="Scale"/> = (1 - 3 noise) / 1.5, then Gaussian noise of std
/// <see cref="Noise"/>, truncated at 3 std, is added: every point lies in [-1, 1].
/// </summary>
public sealed class TwoMoons : ToyDistribution
{
    /// <summary>The centre of the unscaled shape's bounding box, moved to the origin.</summary>
    public static readonly (double X, double Y) Center = (0.5, 0.25);

    /// <summary>Creates the moons.</summary>
    /// <param name="noise">The std of the added noise, in [0, 1/3).</param>
    public TwoMoons(double noise = 0.05)
    {
        Noise = ToyNoise.Validate(noise);
    }

    /// <inheritdoc/>
    public override string Name => "moons";

    /// <summary>The std of the noise (truncated at 3 std).</summary>
    public double Noise { get; }

    /// <summary>The factor the centred shape is scaled by.</summary>
    public double Scale => (1 - ToyNoise.TruncationStds * Noise) / 1.5;

    /// <summary>Exactly [-1, 1].</summary>
    public override DataRange Range => DataRange.Symmetric;

    /// <inheritdoc/>
    public override int ClassCount => 2;

    private protected override (double X, double Y, int Label) Draw(ref SeededRandom random, int index)
    {
        int moon = index % 2;
        (double sin, double cos) = Math.SinCos(Math.PI * random.NextDouble());
        (double x, double y) = moon == 0 ? (cos, sin) : (1 - cos, 0.5 - sin);
        return (
            (x - Center.X) * Scale + ToyNoise.Draw(ref random, Noise),
            (y - Center.Y) * Scale + ToyNoise.Draw(ref random, Noise),
            moon);
    }
}
