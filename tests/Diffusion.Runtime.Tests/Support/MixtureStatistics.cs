using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Support;

/// <summary>Assigns samples to their nearest component and compares weights, means and variances.</summary>
internal static class MixtureStatistics
{
    public static void AssertMatches(GaussianMixture mixture, float[] samples, double weightTolerance, double meanTolerance, double varianceRelTolerance)
    {
        int d = mixture.Dimension, n = samples.Length / d, k = mixture.ComponentCount;
        var counts = new int[k];
        var sums = new double[k, d];
        var sumSq = new double[k];
        var members = new List<double[]>[k];
        for (int c = 0; c < k; c++) members[c] = [];
        for (int s = 0; s < n; s++)
        {
            var x = new double[d];
            for (int i = 0; i < d; i++) x[i] = samples[s * d + i];
            int best = Enumerable.Range(0, k).MinBy(c => Distance2(x, mixture.Means[c]));
            members[best].Add(x);
        }
        for (int c = 0; c < k; c++)
        {
            var m = members[c];
            double weight = (double)m.Count / n;
            Assert.True(Math.Abs(weight - mixture.Weights[c]) < weightTolerance,
                $"component {c}: weight {weight:F3}, expected {mixture.Weights[c]:F3}");
            for (int i = 0; i < d; i++)
            {
                double mean = m.Average(x => x[i]);
                Assert.True(Math.Abs(mean - mixture.Means[c][i]) < meanTolerance,
                    $"component {c}: mean[{i}] {mean:F4}, expected {mixture.Means[c][i]:F4}");
                double variance = m.Average(x => (x[i] - mean) * (x[i] - mean));
                double expected = mixture.Stds[c] * mixture.Stds[c];
                Assert.True(Math.Abs(variance / expected - 1) < varianceRelTolerance,
                    $"component {c}: variance[{i}] {variance:F5}, expected {expected:F5}");
            }
        }
    }

    private static double Distance2(double[] x, IReadOnlyList<double> mean)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (x[i] - mean[i]) * (x[i] - mean[i]);
        return s;
    }
}
