using Diffusion.Runtime.Evaluation;

namespace Diffusion.Runtime.Tests.Evaluation;

/// <summary>The Fréchet distance: zero for identical sets, the closed form for diagonal Gaussians, symmetric, growing with noise.</summary>
public class FrechetDistanceTests
{
    private static readonly double[,] Mixing = RandomMatrices.Mixing(new Random(11), 16, rank: 16);

    [Fact]
    public void IdenticalSetsAreAtDistanceZero()
    {
        var features = RandomMatrices.Features(new Random(1), 2000, Mixing, mean: 3);
        var a = FeatureStatistics.Of(features, 16);
        var b = FeatureStatistics.Of(features.ToArray(), 16);

        double trace = Enumerable.Range(0, 16).Sum(i => a.Covariance[i, i]);
        Assert.True(FrechetDistance.Between(a, b) < 1e-6 * trace, $"FD {FrechetDistance.Between(a, b)} for identical sets (trace {trace})");
    }

    [Fact]
    public void DiagonalGaussiansHaveTheClosedForm()
    {
        // For diagonal S1, S2: tr(S1 + S2 - 2 (S1 S2)^{1/2}) = sum_i (sqrt s1_i - sqrt s2_i)^2.
        double[] mean1 = [0, 1, -2, 0.5], mean2 = [1, 1, 0, -0.5];
        double[] var1 = [1, 4, 0.25, 9], var2 = [2, 1, 0.25, 0.01];
        double expected = 0;
        for (int i = 0; i < 4; i++)
            expected += Math.Pow(mean1[i] - mean2[i], 2) + Math.Pow(Math.Sqrt(var1[i]) - Math.Sqrt(var2[i]), 2);

        double fd = FrechetDistance.Between(Diagonal(mean1, var1), Diagonal(mean2, var2));

        Assert.Equal(expected, fd, 1e-12);
    }

    [Fact]
    public void CovariancesOfEqualSpectrumOnOtherAxesAreApart()
    {
        // Same covariance rotated by 90 degrees in 2-D: diag(4, 1) vs diag(1, 4): (2 - 1)^2 * 2 = 2.
        double fd = FrechetDistance.Between(Diagonal([0, 0], [4, 1]), FeatureStatistics.FromMoments([0, 0], new double[,] { { 1, 0 }, { 0, 4 } }));

        Assert.Equal(2, fd, 1e-12);
    }

    [Fact]
    public void DistanceIsSymmetric()
    {
        var a = FeatureStatistics.Of(RandomMatrices.Features(new Random(2), 500, Mixing), 16);
        var b = FeatureStatistics.Of(RandomMatrices.Features(new Random(3), 500, RandomMatrices.Mixing(new Random(12), 16, 16), mean: 0.3), 16);

        double ab = FrechetDistance.Between(a, b), ba = FrechetDistance.Between(b, a);

        Assert.True(ab > 0.1, $"FD {ab} of two different Gaussians");
        Assert.Equal(ab, ba, 1e-9 * ab);
    }

    [Fact]
    public void DistanceGrowsWithAddedNoise()
    {
        var clean = RandomMatrices.Features(new Random(4), 2000, Mixing);
        var reference = FeatureStatistics.Of(clean, 16);
        var noise = RandomMatrices.Features(new Random(5), 2000, RandomMatrices.Identity(16));

        var distances = new[] { 0.0, 0.1, 0.2, 0.4, 0.8, 1.6 }.Select(std =>
        {
            var noised = clean.Select((v, i) => v + (float)(std * noise[i])).ToArray();
            return FrechetDistance.Between(FeatureStatistics.Of(noised, 16), reference);
        }).ToArray();

        Assert.True(distances[0] < 1e-9, $"no noise: FD {distances[0]}");
        for (int i = 1; i < distances.Length; i++)
            Assert.True(distances[i] > distances[i - 1], $"FD {distances[i]} at noise step {i} is not above {distances[i - 1]}: [{string.Join(", ", distances)}]");
    }

    [Fact]
    public void DifferentDimensionsAreAClearError()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => FrechetDistance.Between(Diagonal([0], [1]), Diagonal([0, 0], [1, 1])));
        Assert.Contains("cannot compare 1-dimensional features with 2-dimensional ones", e.Message);
    }

    private static FeatureStatistics Diagonal(double[] mean, double[] variances)
    {
        var covariance = new double[mean.Length, mean.Length];
        for (int i = 0; i < mean.Length; i++) covariance[i, i] = variances[i];
        return FeatureStatistics.FromMoments(mean, covariance);
    }
}
