namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// The Fréchet (2-Wasserstein) distance between two Gaussians, as FID uses it on classifier
/// features (Heusel et al. 2017, eq. 6; the closed form is Dowson &amp; Landau 1982):
/// d^2 = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2}).
/// The value reported is this squared distance, as FID reports it.
/// </summary>
public static class FrechetDistance
{
    /// <summary>The squared Fréchet distance between the Gaussians fitted to <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <exception cref="DiffusionException">The two have different feature dimensions.</exception>
    public static double Between(FeatureStatistics a, FeatureStatistics b)
    {
        if (a.Dimension != b.Dimension)
            throw new DiffusionModelException($"cannot compare {a.Dimension}-dimensional features with {b.Dimension}-dimensional ones: use features of the same classifier.");
        int d = a.Dimension;
        double meanTerm = 0, traces = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = a.Mean[i] - b.Mean[i];
            meanTerm += diff * diff;
            traces += a.Covariance[i, i] + b.Covariance[i, i];
        }
        // tr (S1^{1/2} S2 S1^{1/2})^{1/2} is the sum of the square roots of the eigenvalues of the
        // symmetric positive semi-definite S1^{1/2} S2 S1^{1/2}; rounding can make tiny ones negative.
        var rootA = SquareRoot(a.Covariance);
        var (values, _) = SymmetricEigen.Decompose(Multiply(Multiply(rootA, b.Covariance), rootA));
        double crossTrace = values.Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return Math.Max(0, meanTerm + traces - 2 * crossTrace);
    }

    /// <summary>The symmetric square root V diag(sqrt(max(lambda, 0))) V^T of a symmetric positive semi-definite matrix.</summary>
    internal static double[,] SquareRoot(double[,] matrix)
    {
        var (values, vectors) = SymmetricEigen.Decompose(matrix);
        int n = values.Length;
        var root = new double[n, n];
        for (int k = 0; k < n; k++)
        {
            double r = Math.Sqrt(Math.Max(values[k], 0));
            if (r == 0) continue;
            for (int i = 0; i < n; i++)
            {
                double vik = r * vectors[i, k];
                for (int j = 0; j <= i; j++) root[i, j] += vik * vectors[j, k];
            }
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) root[j, i] = root[i, j];
        return root;
    }

    private static double[,] Multiply(double[,] x, double[,] y)
    {
        int n = x.GetLength(0), m = y.GetLength(1), inner = x.GetLength(1);
        var product = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < inner; k++)
            {
                double xik = x[i, k];
                if (xik == 0) continue;
                for (int j = 0; j < m; j++) product[i, j] += xik * y[k, j];
            }
        return product;
    }
}
