using Diffusion.Runtime.Evaluation;

namespace Diffusion.Runtime.Tests.Evaluation;

/// <summary>The cyclic Jacobi eigensolver reconstructs symmetric matrices from orthonormal eigenvectors.</summary>
public class SymmetricEigenTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(7, 3)]
    [InlineData(64, 4)]
    [InlineData(128, 5)]
    public void RandomSymmetricMatricesAreReconstructed(int n, int seed)
    {
        var a = RandomMatrices.Symmetric(new Random(seed), n);

        var (values, vectors) = SymmetricEigen.Decompose(a);

        Assert.True(RandomMatrices.MaxDifference(Reconstruct(values, vectors), a) < 1e-12 * n, "V diag(lambda) V^T differs from A");
        Assert.True(RandomMatrices.MaxDifference(Gram(vectors), RandomMatrices.Identity(n)) < 1e-12 * n, "the eigenvectors are not orthonormal");
    }

    [Fact]
    public void RankDeficientCovarianceHasZeroEigenvaluesAndIsReconstructed()
    {
        var l = RandomMatrices.Mixing(new Random(6), 32, rank: 5);
        var covariance = new double[32, 32];
        for (int i = 0; i < 32; i++)
            for (int j = 0; j < 32; j++)
                for (int k = 0; k < 5; k++) covariance[i, j] += l[i, k] * l[j, k];

        var (values, vectors) = SymmetricEigen.Decompose(covariance);

        Assert.True(RandomMatrices.MaxDifference(Reconstruct(values, vectors), covariance) < 1e-13);
        Assert.Equal(5, values.Count(v => v > 1e-10));
        Assert.All(values, v => Assert.True(v > -1e-13, $"eigenvalue {v} of a positive semi-definite matrix"));
    }

    [Fact]
    public void KnownTwoByTwoEigenvalues()
    {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        var (values, _) = SymmetricEigen.Decompose(new double[,] { { 2, 1 }, { 1, 2 } });

        Assert.Equal([1.0, 3.0], values.Order().Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void NonFiniteMatrixIsAClearError()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => SymmetricEigen.Decompose(new double[,] { { 1, double.NaN }, { double.NaN, 1 } }));
        Assert.Contains("did not converge", e.Message);
    }

    private static double[,] Reconstruct(double[] values, double[,] vectors)
    {
        int n = values.Length;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i, j] += vectors[i, k] * values[k] * vectors[j, k];
        return a;
    }

    private static double[,] Gram(double[,] v)
    {
        int n = v.GetLength(0);
        var g = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) g[i, j] += v[k, i] * v[k, j];
        return g;
    }
}
