using Diffusion.Onnx.Tests.Support;
using Diffusion.Testing;

namespace Diffusion.Onnx.Tests.Reference;

/// <summary>The double-precision reference itself is right: checked against closed forms and identities.</summary>
public sealed class GaussianMixtureTests
{
    private static readonly GaussianMixture Mixture = StandardMixtures.Uneven;
    private static readonly double[] Point = [0.3, -0.2, 0.8, 0.1];

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(0.9, 0.3)]
    [InlineData(0.2, 0.98)]
    [InlineData(1.0, 5.0)]
    public void ScoreIsTheGradientOfTheLogDensity(double alpha, double sigma)
    {
        var score = Mixture.Score(Point, alpha, sigma);
        const double h = 1e-5;
        for (var i = 0; i < Point.Length; i++)
        {
            var plus = (double[])Point.Clone();
            var minus = (double[])Point.Clone();
            plus[i] += h;
            minus[i] -= h;
            var centralDifference = (Mixture.LogDensity(plus, alpha, sigma) - Mixture.LogDensity(minus, alpha, sigma)) / (2 * h);
            Assert.Equal(centralDifference, score[i], 1e-5 * Math.Max(1, Math.Abs(score[i])));
        }
    }

    [Theory]
    [InlineData(0.99, 0.1)]
    [InlineData(0.5, 0.866)]
    [InlineData(0.01, 0.9999)]
    public void PredictionsSatisfyTweediesFormula(double alpha, double sigma)
    {
        var score = Mixture.Score(Point, alpha, sigma);
        var eps = Mixture.Epsilon(Point, alpha, sigma);
        var x0 = Mixture.Denoised(Point, alpha, sigma);
        var v = Mixture.VPrediction(Point, alpha, sigma);
        for (var i = 0; i < Point.Length; i++)
        {
            Assert.Equal(-sigma * score[i], eps[i], 1e-12);
            Assert.Equal((Point[i] + sigma * sigma * score[i]) / alpha, x0[i], 1e-9);
            Assert.Equal(alpha * eps[i] - sigma * x0[i], v[i], 1e-12);
        }
    }

    [Fact]
    public void SingleGaussianHasClosedFormScoreAndDensity()
    {
        var gaussian = new GaussianMixture([[1.0, -2.0]], [0.5]);
        double alpha = 0.8, sigma = 0.6, variance = alpha * alpha * 0.25 + sigma * sigma;
        double[] x = [0.4, -1.0];

        var score = gaussian.Score(x, alpha, sigma);
        Assert.Equal(-(0.4 - 0.8) / variance, score[0], 1e-12);
        Assert.Equal(-(-1.0 + 1.6) / variance, score[1], 1e-12);
        var squared = Math.Pow(0.4 - 0.8, 2) + Math.Pow(-1.0 + 1.6, 2);
        Assert.Equal(-Math.Log(2 * Math.PI * variance) - squared / (2 * variance), gaussian.LogDensity(x, alpha, sigma), 1e-12);
    }

    [Fact]
    public void FarAwayPointsStayFinite()
    {
        double[] far = [1e4, -1e4, 1e4, 1e4];
        var r = Mixture.Responsibilities(far, 1, 0);
        Assert.Equal(1, r.Sum(), 1e-12);
        Assert.All(Mixture.Score(far, 1, 0), s => Assert.True(double.IsFinite(s)));
        Assert.True(double.IsFinite(Mixture.LogDensity(far)));
    }

    [Fact]
    public void ResponsibilitiesFavourTheNearestComponent()
    {
        var r = Mixture.Responsibilities(Mixture.Means[1].ToArray(), 1, 0);
        Assert.Equal(1, r.Sum(), 1e-12);
        Assert.True(r[1] > 0.99, $"responsibility of the component at the point is {r[1]}");
    }

    [Fact]
    public void SampleMomentsMatchTheExactMeanAndCovariance()
    {
        const int count = 100_000;
        var draws = Mixture.Sample(new Random(3), count);
        var mean = Mixture.Mean();
        var covariance = Mixture.Covariance();

        for (var i = 0; i < Mixture.Dimension; i++)
        {
            var sampleMean = draws.Average(x => x[i]);
            var standardError = Math.Sqrt(covariance[i, i] / count);
            Assert.True(Math.Abs(sampleMean - mean[i]) < 5 * standardError, $"mean[{i}]: {sampleMean} vs {mean[i]}");
            for (var j = 0; j < Mixture.Dimension; j++)
            {
                var sampleCovariance = draws.Average(x => (x[i] - mean[i]) * (x[j] - mean[j]));
                Assert.Equal(covariance[i, j], sampleCovariance, 0.02);
            }
        }
    }

    [Fact]
    public void SeededSamplingIsReproducible()
    {
        Assert.Equal(Mixture.Sample(new Random(9), 5), Mixture.Sample(new Random(9), 5));
        Assert.NotEqual(Mixture.Sample(new Random(9), 5), Mixture.Sample(new Random(10), 5));
    }

    [Fact]
    public void RingHasMeansOnTheCircleAndIsotropicCovariance()
    {
        var ring = GaussianMixture.Ring(8, radius: 2, std: 0.1);

        Assert.Equal(8, ring.ComponentCount);
        Assert.Equal([2.0, 0.0], ring.Means[0]);
        Assert.Equal(Math.Sqrt(2), ring.Means[1][0], 1e-12);
        Assert.Equal(Math.Sqrt(2), ring.Means[1][1], 1e-12);
        Assert.All(ring.Means, m => Assert.Equal(2, Math.Sqrt(m[0] * m[0] + m[1] * m[1]), 1e-12));
        var covariance = ring.Covariance();
        Assert.Equal(4.0 / 2 + 0.01, covariance[0, 0], 1e-12); // r^2 / 2 + s^2 per axis
        Assert.Equal(4.0 / 2 + 0.01, covariance[1, 1], 1e-12);
        Assert.Equal(0, covariance[0, 1], 1e-12);
        Assert.All(ring.Mean(), m => Assert.Equal(0, m, 1e-12));
    }

    [Fact]
    public void ComponentIsTheConditionalMixture()
    {
        var component = Mixture.Component(2);
        Assert.Equal(1, component.ComponentCount);
        Assert.Equal(Mixture.Means[2], component.Means[0]);
        Assert.Equal(Mixture.Stds[2], component.Stds[0]);
        Assert.Equal([1.0], component.Weights);
    }
}
