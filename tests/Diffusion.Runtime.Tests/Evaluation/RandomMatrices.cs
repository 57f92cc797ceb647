using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Evaluation;

/// <summary>Seeded random vectors and matrices for the evaluation tests.</summary>
internal static class RandomMatrices
{
    /// <summary>A symmetric matrix with standard normal entries.</summary>
    public static double[,] Symmetric(Random random, int n)
    {
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                a[i, j] = a[j, i] = StableMath.NextGaussian(random);
        return a;
    }

    /// <summary>A mixing matrix L, so L z for standard normal z has covariance L L^T.</summary>
    public static double[,] Mixing(Random random, int n, int rank)
    {
        var l = new double[n, rank];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < rank; j++)
                l[i, j] = StableMath.NextGaussian(random) / Math.Sqrt(rank);
        return l;
    }

    /// <summary><paramref name="rows"/> feature vectors mean + L z, row-major.</summary>
    public static float[] Features(Random random, int rows, double[,] mixing, double mean = 0)
    {
        int d = mixing.GetLength(0), rank = mixing.GetLength(1);
        var data = new float[rows * d];
        var z = new double[rank];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < rank; j++) z[j] = StableMath.NextGaussian(random);
            for (int i = 0; i < d; i++)
            {
                double v = mean;
                for (int j = 0; j < rank; j++) v += mixing[i, j] * z[j];
                data[r * d + i] = (float)v;
            }
        }
        return data;
    }

    /// <summary>The n x n identity.</summary>
    public static double[,] Identity(int n)
    {
        var id = new double[n, n];
        for (int i = 0; i < n; i++) id[i, i] = 1;
        return id;
    }

    /// <summary>The largest absolute entry of a - b.</summary>
    public static double MaxDifference(double[,] a, double[,] b)
    {
        double max = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                max = Math.Max(max, Math.Abs(a[i, j] - b[i, j]));
        return max;
    }
}
