using Diffusion.Training.Data.Sampling;

namespace Diffusion.Training.Data.Toy;

/// <summary>
/// K isotropic Gaussians of standard deviation s, equally weighted, their means evenly spaced on
/// a circle of radius r: mean k = r * (cos 2 pi k / K, sin 2 pi k / K). Labels are the component
/// index. The defaults (8, 1.0, 0.1) are the distribution of the runtime's ring demo model. The
/// data are not rescaled, so <see cref="Means"/>, <see cref="Std"/> and <see cref="Weights"/> are
/// the exact density the points come from.
/// </summary>
public sealed class RingOfGaussians : ToyDistribution
{
    /// <summary>How many standard deviations beyond the radius <see cref="Range"/> reaches.</summary>
    public const double RangeStds = 4;

    /// <summary>Creates the ring.</summary>
    /// <param name="components">K, the number of Gaussians (at least 1).</param>
    /// <param name="radius">r, the distance of every mean from the origin (0 or more).</param>
    /// <param name="std">s, each component's standard deviation per coordinate (more than 0).</param>
    public RingOfGaussians(int components = 8, double radius = 1.0, double std = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(components);
        if (!double.IsFinite(radius) || radius < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(radius), $"Ring radius {radius} is invalid; pass a finite radius of 0 or more.");
        }

        if (!double.IsFinite(std) || std <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(std), $"Ring std {std} is invalid; pass a finite standard deviation above 0.");
        }

        Components = components;
        Radius = radius;
        Std = std;
        Means = [.. Enumerable.Range(0, components).Select(k =>
        {
            (double sin, double cos) = Math.SinCos(2 * Math.PI * k / components);
            return (radius * cos, radius * sin);
        })];
        Weights = [.. Enumerable.Repeat(1.0 / components, components)];
    }

    /// <inheritdoc/>
    public override string Name => "ring";

    /// <summary>K, the number of components.</summary>
    public int Components { get; }

    /// <summary>r, the radius of the circle of means.</summary>
    public double Radius { get; }

    /// <summary>s, the standard deviation of every component in each coordinate.</summary>
    public double Std { get; }

    /// <summary>The component means, component k at angle 2 pi k / K.</summary>
    public IReadOnlyList<(double X, double Y)> Means { get; }

    /// <summary>The mixture weights (each 1 / K).</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>
    /// The nominal range ±(r + 4 s). Gaussians are unbounded, so a point falls outside it with a
    /// probability below 1e-4.
    /// </summary>
    public override DataRange Range => new(-(float)(Radius + RangeStds * Std), (float)(Radius + RangeStds * Std));

    /// <inheritdoc/>
    public override int ClassCount => Components;

    private protected override (double X, double Y, int Label) Draw(ref SeededRandom random, int index)
    {
        int k = random.NextInt(Components);
        (double mx, double my) = Means[k];
        return (mx + Std * random.NextGaussian(), my + Std * random.NextGaussian(), k);
    }
}
