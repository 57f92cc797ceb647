namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// The mean and covariance of a set of feature vectors, in double precision: the Gaussian that
/// a Fréchet distance compares. The covariance is the unbiased one (divided by N - 1), as
/// <c>numpy.cov</c> and the reference FID code compute it.
/// </summary>
public sealed class FeatureStatistics
{
    private FeatureStatistics(double[] mean, double[,] covariance, int count)
    {
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    /// <summary>The mean feature vector, length <see cref="Dimension"/>.</summary>
    public double[] Mean { get; }

    /// <summary>The covariance matrix, <see cref="Dimension"/> x <see cref="Dimension"/>.</summary>
    public double[,] Covariance { get; }

    /// <summary>How many feature vectors went in; 0 for statistics given as moments.</summary>
    public int Count { get; }

    /// <summary>D, the length of a feature vector.</summary>
    public int Dimension => Mean.Length;

    /// <summary>Statistics given directly, e.g. the exact moments of a known Gaussian.</summary>
    /// <param name="mean">The mean, length D.</param>
    /// <param name="covariance">A symmetric D x D covariance.</param>
    /// <exception cref="DiffusionException">The sizes disagree or the covariance is not symmetric.</exception>
    public static FeatureStatistics FromMoments(double[] mean, double[,] covariance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        int d = mean.Length;
        if (d == 0 || covariance.GetLength(0) != d || covariance.GetLength(1) != d)
            throw new DiffusionModelException($"a mean of length {d} needs a {d} x {d} covariance, got {covariance.GetLength(0)} x {covariance.GetLength(1)}.");
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++)
                if (covariance[i, j] != covariance[j, i])
                    throw new DiffusionModelException($"the covariance is not symmetric at ({i}, {j}): give a symmetric matrix.");
        return new FeatureStatistics((double[])mean.Clone(), (double[,])covariance.Clone(), 0);
    }

    /// <summary>The statistics of the rows of <paramref name="features"/>, a row-major [N, D] array.</summary>
    /// <param name="features">N feature vectors of length <paramref name="dimension"/>, one after another.</param>
    /// <param name="dimension">D, the length of one feature vector.</param>
    /// <exception cref="DiffusionException">There are fewer than 2 rows, the length is not a multiple of D, or a value is not finite.</exception>
    public static FeatureStatistics Of(ReadOnlySpan<float> features, int dimension)
    {
        if (dimension < 1) throw new DiffusionModelException($"feature vectors need at least one value, got a dimension of {dimension}.");
        if (features.Length % dimension != 0)
            throw new DiffusionModelException($"{features.Length} feature values do not split into rows of {dimension}: give N x {dimension} values.");
        int n = features.Length / dimension;
        if (n < 2) throw new DiffusionModelException($"a covariance needs at least 2 feature vectors, got {n}: evaluate at least 2 samples.");

        var mean = new double[dimension];
        for (int r = 0; r < n; r++)
        {
            var row = features.Slice(r * dimension, dimension);
            for (int i = 0; i < dimension; i++)
            {
                if (!float.IsFinite(row[i]))
                    throw new DiffusionModelException($"feature vector {r} holds {row[i]}: the samples or the classifier produced non-finite values.");
                mean[i] += row[i];
            }
        }
        for (int i = 0; i < dimension; i++) mean[i] /= n;

        // Two passes (mean first, then centred products) keep the covariance accurate when the mean is large.
        var covariance = new double[dimension, dimension];
        var centred = new double[dimension];
        for (int r = 0; r < n; r++)
        {
            var row = features.Slice(r * dimension, dimension);
            for (int i = 0; i < dimension; i++) centred[i] = row[i] - mean[i];
            for (int i = 0; i < dimension; i++)
                for (int j = 0; j <= i; j++)
                    covariance[i, j] += centred[i] * centred[j];
        }
        for (int i = 0; i < dimension; i++)
            for (int j = 0; j <= i; j++)
                covariance[j, i] = covariance[i, j] /= n - 1;
        return new FeatureStatistics(mean, covariance, n);
    }
}
