using Diffusion.Training.Data.Sampling;

namespace Diffusion.Training.Data.Tests.Sampling;

public class SeededRandomTests
{
    [Fact]
    public void Bounded_integers_are_uniform()
    {
        var random = new SeededRandom(5, 0);
        var counts = new int[6];
        const int draws = 60_000;
        for (int i = 0; i < draws; i++)
        {
            counts[random.NextInt(6)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void Gaussians_have_mean_zero_and_unit_variance()
    {
        var random = new SeededRandom(9, 1);
        double[] z = [.. Enumerable.Range(0, 100_000).Select(_ => random.NextGaussian())];
        double mean = z.Average();
        double variance = z.Select(v => (v - mean) * (v - mean)).Average();

        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.98, 1.02);
    }

    [Fact]
    public void Streams_of_one_seed_differ()
    {
        var a = new SeededRandom(1, 0);
        var b = new SeededRandom(1, 1);
        Assert.NotEqual(a.NextUInt64(), b.NextUInt64());
    }
}
