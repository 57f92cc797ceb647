namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// The squared maximum mean discrepancy (Gretton et al. 2012) between samples and a known
/// <see cref="IsotropicMixture"/>, with the Gaussian kernel k(x, y) = exp(-|x - y|^2 / (2 h^2)):
/// MMD^2 = E k(x, x') - 2 E k(x, y) + E k(y, y'), x from the samples, y from the mixture.
/// Both terms that involve the mixture are exact, so the only estimation error is the samples'.
/// </summary>
/// <remarks>
/// For z ~ N(m, v I) in D dimensions, E exp(-|z|^2 / (2 h^2)) = (h^2 / (h^2 + v))^{D/2} exp(-|m|^2 / (2 (h^2 + v)))
/// (a Gaussian integral). With z = x - y, y ~ N(mu_k, s_k^2 I): m = x - mu_k, v = s_k^2; with
/// z = y - y' from components k and l: m = mu_k - mu_l, v = s_k^2 + s_l^2. The sample term is the
/// unbiased U-statistic over pairs i != j, so the estimate has expectation exactly MMD^2 and
/// can be slightly negative for samples of the mixture itself.
/// </remarks>
public static class MixtureMmd
{
    /// <summary>The unbiased estimate of MMD^2 between <paramref name="points"/> (row-major [N, D], N &gt;= 2) and <paramref name="mixture"/>.</summary>
    /// <param name="points">The samples.</param>
    /// <param name="mixture">The reference distribution.</param>
    /// <param name="bandwidth">The kernel's h; positive.</param>
    public static double Squared(ReadOnlySpan<float> points, IsotropicMixture mixture, double bandwidth)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        if (!(bandwidth > 0 && double.IsFinite(bandwidth))) throw new DiffusionModelException($"the MMD kernel bandwidth must be positive, got {bandwidth}.");
        int n = mixture.RowCount(points), d = mixture.Dimension;
        if (n < 2) throw new DiffusionModelException("an unbiased MMD needs at least 2 samples: evaluate more samples.");
        double h2 = bandwidth * bandwidth;

        double samples = 0;
        for (int i = 1; i < n; i++)
        {
            var xi = points.Slice(i * d, d);
            for (int j = 0; j < i; j++)
            {
                var xj = points.Slice(j * d, d);
                double squared = 0;
                for (int c = 0; c < d; c++)
                {
                    double diff = xi[c] - xj[c];
                    squared += diff * diff;
                }
                samples += Math.Exp(-squared / (2 * h2));
            }
        }
        samples /= n * (n - 1.0) / 2;

        double cross = 0;
        for (int i = 0; i < n; i++)
        {
            var x = points.Slice(i * d, d);
            for (int k = 0; k < mixture.ComponentCount; k++)
                cross += mixture.Weights[k] * GaussianExpectation(IsotropicMixture.SquaredDistance(x, mixture.Means[k]), mixture.Stds[k] * mixture.Stds[k], h2, d);
        }
        cross /= n;

        double reference = 0;
        for (int k = 0; k < mixture.ComponentCount; k++)
            for (int l = 0; l < mixture.ComponentCount; l++)
            {
                double squared = 0;
                for (int c = 0; c < d; c++)
                {
                    double diff = mixture.Means[k][c] - mixture.Means[l][c];
                    squared += diff * diff;
                }
                double variance = mixture.Stds[k] * mixture.Stds[k] + mixture.Stds[l] * mixture.Stds[l];
                reference += mixture.Weights[k] * mixture.Weights[l] * GaussianExpectation(squared, variance, h2, d);
            }

        return samples - 2 * cross + reference;
    }

    /// <summary>E exp(-|z|^2 / (2 h^2)) for z ~ N(m, v I) in <paramref name="dimension"/> dimensions, given |m|^2.</summary>
    private static double GaussianExpectation(double meanSquared, double variance, double h2, int dimension) =>
        Math.Pow(h2 / (h2 + variance), dimension / 2.0) * Math.Exp(-meanSquared / (2 * (h2 + variance)));
}
