namespace Diffusion.Testing;

/// <summary>
/// An isotropic Gaussian mixture p(x_0) = sum_k w_k N(x_0; mu_k, s_k^2 I) in R^D, with
/// everything a diffusion model estimates known exactly, in double precision, at every noise
/// level of x = alpha x_0 + sigma eps: the score, the denoised estimate E[x_0 | x], the noise
/// estimate E[eps | x] and the log density. Use it as the exact denoiser in sampler tests.
/// </summary>
/// <remarks>
/// The noised density is p(x) = sum_k w_k N(x; alpha mu_k, v_k I), v_k = alpha^2 s_k^2 + sigma^2.
/// With d_k = x - alpha mu_k and the responsibilities
/// r_k = softmax_k(log w_k - D/2 log v_k - |d_k|^2 / (2 v_k)):
/// score = -sum_k r_k d_k / v_k; E[eps | x] = sigma sum_k r_k d_k / v_k;
/// E[x_0 | x] = sum_k r_k (mu_k + alpha s_k^2 d_k / v_k), the Gaussian posterior mean of each
/// component. They satisfy eps = -sigma score and x_0 = (x + sigma^2 score) / alpha (Tweedie).
/// </remarks>
public sealed partial class GaussianMixture
{
    private readonly double[][] _means;
    private readonly double[] _stds;
    private readonly double[] _weights;

    /// <summary>A mixture of K components.</summary>
    /// <param name="means">K means, each of length D.</param>
    /// <param name="stds">K positive standard deviations.</param>
    /// <param name="weights">K positive weights, normalised here; null for equal weights.</param>
    /// <exception cref="ArgumentException">Counts or lengths disagree, or a value is not positive and finite.</exception>
    public GaussianMixture(IReadOnlyList<double[]> means, IReadOnlyList<double> stds, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        if (means.Count == 0)
            throw new ArgumentException("A mixture needs at least one component.", nameof(means));
        var d = means[0].Length;
        if (d == 0 || means.Any(m => m.Length != d))
            throw new ArgumentException("Every mean needs the same, non-zero length D.", nameof(means));
        if (stds.Count != means.Count || stds.Any(s => !(s > 0 && double.IsFinite(s))))
            throw new ArgumentException("Give one positive, finite standard deviation per component.", nameof(stds));
        weights ??= Enumerable.Repeat(1.0, means.Count).ToArray();
        if (weights.Count != means.Count || weights.Any(w => !(w > 0 && double.IsFinite(w))))
            throw new ArgumentException("Give one positive, finite weight per component.", nameof(weights));
        var total = weights.Sum();
        _means = means.Select(m => (double[])m.Clone()).ToArray();
        _stds = stds.ToArray();
        _weights = weights.Select(w => w / total).ToArray();
    }

    /// <summary>K, the number of components.</summary>
    public int ComponentCount => _means.Length;

    /// <summary>D, the dimension of the data.</summary>
    public int Dimension => _means[0].Length;

    /// <summary>The component means mu_k.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Means => _means;

    /// <summary>The component standard deviations s_k.</summary>
    public IReadOnlyList<double> Stds => _stds;

    /// <summary>The component weights w_k (they sum to 1).</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>
    /// <paramref name="count"/> equally weighted 2-D components of standard deviation
    /// <paramref name="std"/> with means at radius * (cos 2 pi k / K, sin 2 pi k / K).
    /// </summary>
    public static GaussianMixture Ring(int count, double radius, double std)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var means = Enumerable.Range(0, count)
            .Select(k => new[] { radius * Math.Cos(2 * Math.PI * k / count), radius * Math.Sin(2 * Math.PI * k / count) })
            .ToArray();
        return new GaussianMixture(means, Enumerable.Repeat(std, count).ToArray());
    }

    /// <summary>Component <paramref name="k"/> alone: the data conditioned on class label k.</summary>
    public GaussianMixture Component(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, ComponentCount);
        return new GaussianMixture([_means[k]], [_stds[k]]);
    }

    /// <summary>The posterior probabilities r_k(x) that the noised point x came from each component.</summary>
    public double[] Responsibilities(ReadOnlySpan<double> x, double alpha, double sigma) => Posterior(x, alpha, sigma).Responsibilities;

    /// <summary>grad_x log p(x) of the noised density at noise level (alpha, sigma).</summary>
    public double[] Score(ReadOnlySpan<double> x, double alpha, double sigma)
    {
        var result = WeightedOffsets(x, alpha, sigma);
        for (var i = 0; i < result.Length; i++) result[i] = -result[i];
        return result;
    }

    /// <summary>E[eps | x]: the exact output of an epsilon-prediction model.</summary>
    public double[] Epsilon(ReadOnlySpan<double> x, double alpha, double sigma)
    {
        var result = WeightedOffsets(x, alpha, sigma);
        for (var i = 0; i < result.Length; i++) result[i] *= sigma;
        return result;
    }

    /// <summary>E[x_0 | x]: the exact denoiser, the output of a sample-prediction model.</summary>
    public double[] Denoised(ReadOnlySpan<double> x, double alpha, double sigma)
    {
        var (offsets, variances, r) = Posterior(x, alpha, sigma);
        var result = new double[Dimension];
        for (var k = 0; k < ComponentCount; k++)
        {
            var shrink = alpha * _stds[k] * _stds[k] / variances[k];
            for (var i = 0; i < result.Length; i++)
                result[i] += r[k] * (_means[k][i] + shrink * offsets[k][i]);
        }
        return result;
    }

    /// <summary>alpha E[eps | x] - sigma E[x_0 | x]: the exact output of a v-prediction model.</summary>
    public double[] VPrediction(ReadOnlySpan<double> x, double alpha, double sigma)
    {
        var eps = Epsilon(x, alpha, sigma);
        var x0 = Denoised(x, alpha, sigma);
        for (var i = 0; i < eps.Length; i++) eps[i] = alpha * eps[i] - sigma * x0[i];
        return eps;
    }

    /// <summary>log p(x) of the noised density (alpha = 1, sigma = 0: the data density itself).</summary>
    public double LogDensity(ReadOnlySpan<double> x, double alpha = 1, double sigma = 0)
    {
        var (_, _, logits) = Logits(x, alpha, sigma);
        return StableMath.LogSumExp(logits) - Dimension / 2.0 * Math.Log(2 * Math.PI);
    }

    /// <summary>sum_k r_k d_k / v_k, shared by the score and the noise estimate.</summary>
    private double[] WeightedOffsets(ReadOnlySpan<double> x, double alpha, double sigma)
    {
        var (offsets, variances, r) = Posterior(x, alpha, sigma);
        var result = new double[Dimension];
        for (var k = 0; k < ComponentCount; k++)
            for (var i = 0; i < result.Length; i++)
                result[i] += r[k] / variances[k] * offsets[k][i];
        return result;
    }

    private (double[][] Offsets, double[] Variances, double[] Responsibilities) Posterior(ReadOnlySpan<double> x, double alpha, double sigma)
    {
        var (offsets, variances, logits) = Logits(x, alpha, sigma);
        var normaliser = StableMath.LogSumExp(logits);
        return (offsets, variances, logits.Select(l => Math.Exp(l - normaliser)).ToArray());
    }

    // Per component: d_k = x - alpha mu_k, v_k = alpha^2 s_k^2 + sigma^2 and
    // log w_k + log N(x; alpha mu_k, v_k I) + D/2 log(2 pi).
    private (double[][] Offsets, double[] Variances, double[] Logits) Logits(ReadOnlySpan<double> x, double alpha, double sigma)
    {
        if (x.Length != Dimension)
            throw new ArgumentException($"The point has {x.Length} values but the mixture has dimension {Dimension}.", nameof(x));
        var offsets = new double[ComponentCount][];
        var variances = new double[ComponentCount];
        var logits = new double[ComponentCount];
        for (var k = 0; k < ComponentCount; k++)
        {
            offsets[k] = new double[Dimension];
            var squared = 0.0;
            for (var i = 0; i < Dimension; i++)
            {
                offsets[k][i] = x[i] - alpha * _means[k][i];
                squared += offsets[k][i] * offsets[k][i];
            }
            variances[k] = alpha * alpha * _stds[k] * _stds[k] + sigma * sigma;
            logits[k] = Math.Log(_weights[k]) - Dimension / 2.0 * Math.Log(variances[k]) - squared / (2 * variances[k]);
        }
        return (offsets, variances, logits);
    }
}
