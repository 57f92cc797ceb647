namespace Diffusion.Testing;

// Exact draws and moments of the (clean) mixture.
public sealed partial class GaussianMixture
{
    /// <summary>One exact draw x_0: a component chosen by weight, then its Gaussian. Deterministic for a seeded <paramref name="random"/>.</summary>
    public double[] Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var k = PickComponent(random.NextDouble());
        var x = new double[Dimension];
        for (var i = 0; i < x.Length; i++)
            x[i] = _means[k][i] + _stds[k] * StableMath.NextGaussian(random);
        return x;
    }

    /// <summary><paramref name="count"/> exact draws.</summary>
    public double[][] Sample(Random random, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var draws = new double[count][];
        for (var n = 0; n < count; n++)
            draws[n] = Sample(random);
        return draws;
    }

    /// <summary>The mean of the mixture, sum_k w_k mu_k.</summary>
    public double[] Mean()
    {
        var mean = new double[Dimension];
        for (var k = 0; k < ComponentCount; k++)
            for (var i = 0; i < mean.Length; i++)
                mean[i] += _weights[k] * _means[k][i];
        return mean;
    }

    /// <summary>The covariance of the mixture: sum_k w_k (s_k^2 I + mu_k mu_k^T) - m m^T.</summary>
    public double[,] Covariance()
    {
        var mean = Mean();
        var covariance = new double[Dimension, Dimension];
        for (var k = 0; k < ComponentCount; k++)
            for (var i = 0; i < Dimension; i++)
            {
                covariance[i, i] += _weights[k] * _stds[k] * _stds[k];
                for (var j = 0; j < Dimension; j++)
                    covariance[i, j] += _weights[k] * _means[k][i] * _means[k][j];
            }
        for (var i = 0; i < Dimension; i++)
            for (var j = 0; j < Dimension; j++)
                covariance[i, j] -= mean[i] * mean[j];
        return covariance;
    }

    private int PickComponent(double u)
    {
        var cumulative = 0.0;
        for (var k = 0; k < ComponentCount - 1; k++)
            if (u < (cumulative += _weights[k]))
                return k;
        return ComponentCount - 1;
    }
}
