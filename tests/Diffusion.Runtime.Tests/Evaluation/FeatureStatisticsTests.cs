using Diffusion.Runtime.Evaluation;

namespace Diffusion.Runtime.Tests.Evaluation;

/// <summary>Mean and unbiased covariance of feature rows.</summary>
public class FeatureStatisticsTests
{
    [Fact]
    public void MeanAndUnbiasedCovarianceOfThreeRows()
    {
        // Rows (1, 2), (3, 2), (5, 8): mean (3, 4); centred (-2, -2), (0, -2), (2, 4);
        // covariance / (3 - 1): [[8, 12], [12, 24]] / 2.
        var s = FeatureStatistics.Of([1, 2, 3, 2, 5, 8], 2);

        Assert.Equal([3.0, 4.0], s.Mean);
        Assert.Equal(new double[,] { { 4, 6 }, { 6, 12 } }, s.Covariance);
        Assert.Equal(3, s.Count);
    }

    [Fact]
    public void OneRowIsAClearError()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => FeatureStatistics.Of([1, 2], 2));
        Assert.Equal("a covariance needs at least 2 feature vectors, got 1: evaluate at least 2 samples.", e.Message);
    }

    [Fact]
    public void NonFiniteFeatureIsAClearError()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => FeatureStatistics.Of([1, 2, float.NaN, 2], 2));
        Assert.StartsWith("feature vector 1 holds NaN", e.Message);
    }
}
