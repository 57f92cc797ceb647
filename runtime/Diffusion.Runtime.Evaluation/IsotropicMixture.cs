namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// A known data distribution to score 2-D (or any low-dimensional) samples against: the
/// isotropic Gaussian mixture p(x) = sum_k w_k N(x; mu_k, s_k^2 I).
/// </summary>
public sealed class IsotropicMixture
{
    private readonly double[][] _means;
    private readonly double[] _stds;
    private readonly double[] _weights;

    /// <summary>A mixture of K components.</summary>
    /// <param name="means">K means, each of the same length D.</param>
    /// <param name="stds">K positive standard deviations.</param>
    /// <param name="weights">K positive weights, normalised here; null for equal weights.</param>
    /// <exception cref="ArgumentException">Counts or lengths disagree, or a value is not positive and finite.</exception>
    public IsotropicMixture(IReadOnlyList<double[]> means, IReadOnlyList<double> stds, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        if (means.Count == 0 || means[0].Length == 0 || means.Any(m => m.Length != means[0].Length || m.Any(v => !double.IsFinite(v))))
            throw new ArgumentException("Give at least one mean, all of the same non-zero length and finite.", nameof(means));
        if (stds.Count != means.Count || stds.Any(s => !(s > 0 && double.IsFinite(s))))
            throw new ArgumentException("Give one positive, finite standard deviation per component.", nameof(stds));
        weights ??= Enumerable.Repeat(1.0, means.Count).ToArray();
        if (weights.Count != means.Count || weights.Any(w => !(w > 0 && double.IsFinite(w))))
            throw new ArgumentException("Give one positive, finite weight per component.", nameof(weights));
        double total = weights.Sum();
        _means = means.Select(m => (double[])m.Clone()).ToArray();
        _stds = stds.ToArray();
        _weights = weights.Select(w => w / total).ToArray();
    }

    /// <summary>
    /// The training data of the shipped ring models (<c>training/Diffusion.Training.Data/Toy/RingOfGaussians</c>
    /// with its defaults): 8 equally weighted Gaussians of std 0.1, mean k at (cos 2 pi k / 8, sin 2 pi k / 8).
    /// Class label k of a conditional ring model is component k.
    /// </summary>
    public static IsotropicMixture Ring { get; } = CreateRing(8, 1.0, 0.1);

    /// <summary>K equally weighted 2-D components of std <paramref name="std"/>, mean k at radius * (cos 2 pi k / K, sin 2 pi k / K).</summary>
    public static IsotropicMixture CreateRing(int components, double radius, double std)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(components);
        var means = Enumerable.Range(0, components).Select(k =>
        {
            (double sin, double cos) = Math.SinCos(2 * Math.PI * k / components);
            return new[] { radius * cos, radius * sin };
        }).ToArray();
        return new IsotropicMixture(means, Enumerable.Repeat(std, components).ToArray());
    }

    /// <summary>K, the number of components.</summary>
    public int ComponentCount => _means.Length;

    /// <summary>D, the dimension of a point.</summary>
    public int Dimension => _means[0].Length;

    /// <summary>The component means mu_k.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Means => _means;

    /// <summary>The component standard deviations s_k.</summary>
    public IReadOnlyList<double> Stds => _stds;

    /// <summary>The component weights w_k, summing to 1.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Component <paramref name="k"/> alone.</summary>
    public IsotropicMixture Component(int k) => ForLabels([k]);

    /// <summary>
    /// The distribution of samples generated for <paramref name="labels"/> (class k = component k): the labelled
    /// components, each weighted by how often its label occurs.
    /// </summary>
    public IsotropicMixture ForLabels(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0) throw new ArgumentException("give at least one label", nameof(labels));
        var counts = labels.GroupBy(k => k).OrderBy(g => g.Key).ToList();
        foreach (var group in counts)
        {
            if (group.Key < 0 || group.Key >= ComponentCount)
                throw new DiffusionModelException($"class {group.Key} names no component of this reference: it has components 0 to {ComponentCount - 1}.");
        }
        return new IsotropicMixture(counts.Select(g => _means[g.Key]).ToList(), counts.Select(g => _stds[g.Key]).ToList(), counts.Select(g => (double)g.Count()).ToList());
    }

    /// <summary>
    /// The fraction of <paramref name="points"/> (row-major [N, D]) within <paramref name="stds"/>
    /// standard deviations of some component: |x - mu_k| &lt;= stds * s_k for some k. For exact draws
    /// of well-separated 2-D components and 3 stds this is P(chi^2_2 &lt;= 9) = 1 - exp(-4.5) = 0.98889.
    /// </summary>
    public double FractionWithin(ReadOnlySpan<float> points, double stds = 3)
    {
        int d = Dimension, n = RowCount(points);
        int near = 0;
        for (int r = 0; r < n; r++)
        {
            var x = points.Slice(r * d, d);
            for (int k = 0; k < ComponentCount; k++)
            {
                double limit = stds * _stds[k];
                if (SquaredDistance(x, _means[k]) <= limit * limit)
                {
                    near++;
                    break;
                }
            }
        }
        return (double)near / n;
    }

    /// <summary>The number of D-dimensional rows in <paramref name="points"/>; throws when it does not split evenly or is empty.</summary>
    internal int RowCount(ReadOnlySpan<float> points)
    {
        if (points.Length == 0 || points.Length % Dimension != 0)
            throw new DiffusionModelException($"{points.Length} values do not make {Dimension}-dimensional points: the samples must have {Dimension} values each.");
        return points.Length / Dimension;
    }

    /// <summary>|x - mu|^2.</summary>
    internal static double SquaredDistance(ReadOnlySpan<float> x, IReadOnlyList<double> mu)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double diff = x[i] - mu[i];
            sum += diff * diff;
        }
        return sum;
    }
}
