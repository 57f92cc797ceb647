using Diffusion.Runtime.Evaluation;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Evaluation;

/// <summary>
/// The exact MMD to the ring: about 0 for draws of the ring itself, growing with noise, and equal
/// to the sample-based MMD against a large draw of the ring; the within-3-std fraction of exact
/// draws is P(chi^2_2 &lt;= 9).
/// </summary>
public class MixtureMmdTests
{
    private static readonly GaussianMixture Ring = StandardMixtures.Ring;
    private const double Bandwidth = 0.1;

    private static float[] Draw(int count, int seed, double noise = 0, double shift = 0)
    {
        var random = new Random(seed);
        return Ring.Sample(random, count)
            .SelectMany(x => x.Select((v, i) => (float)(v + noise * StableMath.NextGaussian(random) + (i == 0 ? shift : 0))))
            .ToArray();
    }

    [Fact]
    public void RuntimeRingIsTheTrainingRing()
    {
        var ring = IsotropicMixture.Ring;

        Assert.Equal(8, ring.ComponentCount);
        for (int k = 0; k < 8; k++)
        {
            Assert.Equal(Ring.Means[k][0], ring.Means[k][0], 1e-15);
            Assert.Equal(Ring.Means[k][1], ring.Means[k][1], 1e-15);
            Assert.Equal(0.1, ring.Stds[k]);
            Assert.Equal(1.0 / 8, ring.Weights[k], 1e-15);
        }
    }

    [Fact]
    public void DrawsOfTheMixtureAreAboutZeroAndBelowShiftedOrNoisedOnes()
    {
        double own = MixtureMmd.Squared(Draw(3000, 1), IsotropicMixture.Ring, Bandwidth);
        double shifted = MixtureMmd.Squared(Draw(3000, 1, shift: 0.1), IsotropicMixture.Ring, Bandwidth);
        double noised = MixtureMmd.Squared(Draw(3000, 1, noise: 0.1), IsotropicMixture.Ring, Bandwidth);

        // Under the null the estimate's standard deviation is about sqrt(2 E k^2) / n = 8e-5 here.
        Assert.True(Math.Abs(own) < 2.5e-4, $"MMD^2 {own} of draws of the ring itself");
        Assert.True(shifted > 2e-3, $"shifted by one std: MMD^2 {shifted}, own draws {own}");
        Assert.True(noised > 2e-3, $"noised by one std: MMD^2 {noised}, own draws {own}");
    }

    [Fact]
    public void MmdGrowsWithNoise()
    {
        var values = new[] { 0.0, 0.03, 0.06, 0.12, 0.24 }.Select(noise => MixtureMmd.Squared(Draw(1500, 2, noise), IsotropicMixture.Ring, Bandwidth)).ToArray();

        for (int i = 1; i < values.Length; i++)
            Assert.True(values[i] > values[i - 1], $"MMD^2 at noise step {i}: [{string.Join(", ", values)}]");
    }

    [Fact]
    public void ExactMmdAgreesWithTheSampleMmdAgainstALargeDrawOfTheMixture()
    {
        var samples = Draw(600, 3, noise: 0.1);
        var large = Draw(20000, 4);

        double exact = MixtureMmd.Squared(samples, IsotropicMixture.Ring, Bandwidth);
        double brute = BruteForce(samples, large);

        Assert.True(exact > 2e-3, $"exact MMD^2 {exact}");
        // The sample-based estimate's standard error at 20,000 reference draws is about 3% of the value here.
        Assert.True(Math.Abs(brute - exact) < 0.1 * exact, $"sample-based MMD^2 {brute}, exact {exact}");
    }

    [Fact]
    public void WithinThreeStdFractionOfExactDrawsIsTheChiSquareProbability()
    {
        double fraction = IsotropicMixture.Ring.FractionWithin(Draw(20000, 5), 3);

        // 1 - exp(-9/2): the 2-D squared radius over s^2 is chi-square with 2 degrees of freedom;
        // the binomial standard error at n = 20000 is 7e-4.
        Assert.Equal(1 - Math.Exp(-4.5), fraction, 0.003);
    }

    [Fact]
    public void WithinThreeStdCountsOnlyNearPoints()
    {
        // (1, 0) is a mean; (1.29, 0) lies 2.9 std from it; (1.31, 0) 3.1 std; the origin is far from all.
        float[] points = [1, 0, 1.29f, 0, 1.31f, 0, 0, 0];

        Assert.Equal(0.5, IsotropicMixture.Ring.FractionWithin(points, 3));
    }

    [Fact]
    public void ComponentOutOfRangeIsAClearError()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => IsotropicMixture.Ring.Component(8));
        Assert.Equal("class 8 names no component of this reference: it has components 0 to 7.", e.Message);
    }

    // Unbiased MMD^2 between two samples (Gretton et al. 2012, eq. 3), pair by pair.
    private static double BruteForce(float[] x, float[] y)
    {
        double Kernel(float[] a, int i, float[] b, int j)
        {
            double dx = a[2 * i] - b[2 * j], dy = a[2 * i + 1] - b[2 * j + 1];
            return Math.Exp(-(dx * dx + dy * dy) / (2 * Bandwidth * Bandwidth));
        }
        double Within(float[] a)
        {
            int n = a.Length / 2;
            double sum = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    if (i != j) sum += Kernel(a, i, a, j);
            return sum / (n * (n - 1.0));
        }
        int nx = x.Length / 2, ny = y.Length / 2;
        double cross = 0;
        for (int i = 0; i < nx; i++)
            for (int j = 0; j < ny; j++) cross += Kernel(x, i, y, j);
        return Within(x) + Within(y) - 2 * cross / ((double)nx * ny);
    }
}
