namespace Diffusion.Onnx.Mixtures;

/// <summary>
/// An isotropic Gaussian mixture p(x) = sum_k w_k N(x; mu_k, s_k^2 I) over R^D: K means, K
/// standard deviations and K weights (normalised to sum to 1).
/// </summary>
public sealed record MixtureComponents
{
    /// <summary>Checks and stores the components.</summary>
    /// <param name="means">K means, each of length D.</param>
    /// <param name="stds">K positive standard deviations.</param>
    /// <param name="weights">K positive weights; normalised here. Null for equal weights.</param>
    /// <exception cref="ArgumentException">Counts or lengths disagree, or a value is not positive and finite.</exception>
    public MixtureComponents(IReadOnlyList<double[]> means, IReadOnlyList<double> stds, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        var k = means.Count;
        if (k == 0)
            throw new ArgumentException("A mixture needs at least one component: give one mean per component.", nameof(means));
        var d = means[0].Length;
        if (d == 0 || means.Any(m => m.Length != d))
            throw new ArgumentException($"Every mean needs the same, non-zero length (the first has {d}): give all means D values.", nameof(means));
        if (means.Any(m => m.Any(v => !double.IsFinite(v))))
            throw new ArgumentException("A mean holds NaN or infinity: give finite means.", nameof(means));
        if (stds.Count != k)
            throw new ArgumentException($"There are {k} means but {stds.Count} standard deviations: give one per component.", nameof(stds));
        if (stds.Any(s => !(s > 0 && double.IsFinite(s))))
            throw new ArgumentException("Standard deviations must be positive and finite.", nameof(stds));
        weights ??= Enumerable.Repeat(1.0, k).ToArray();
        if (weights.Count != k)
            throw new ArgumentException($"There are {k} means but {weights.Count} weights: give one per component.", nameof(weights));
        if (weights.Any(w => !(w > 0 && double.IsFinite(w))))
            throw new ArgumentException("Weights must be positive and finite (drop components of weight 0).", nameof(weights));
        var total = weights.Sum();
        Means = means.Select(m => (double[])m.Clone()).ToArray();
        Stds = stds.ToArray();
        Weights = weights.Select(w => w / total).ToArray();
    }

    /// <summary>The K means mu_k, each of length <see cref="Dimension"/>.</summary>
    public IReadOnlyList<double[]> Means { get; }

    /// <summary>The K standard deviations s_k.</summary>
    public IReadOnlyList<double> Stds { get; }

    /// <summary>The K weights w_k, summing to 1.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>K, the number of components.</summary>
    public int Count => Means.Count;

    /// <summary>D, the dimension of the data.</summary>
    public int Dimension => Means[0].Length;

    /// <summary>
    /// <paramref name="count"/> equally weighted 2-D components of standard deviation
    /// <paramref name="std"/>, their means at radius * (cos 2 pi k / K, sin 2 pi k / K).
    /// </summary>
    public static MixtureComponents Ring(int count, double radius, double std)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var means = Enumerable.Range(0, count)
            .Select(k => new[] { radius * Math.Cos(2 * Math.PI * k / count), radius * Math.Sin(2 * Math.PI * k / count) })
            .ToArray();
        return new MixtureComponents(means, Enumerable.Repeat(std, count).ToArray());
    }
}
