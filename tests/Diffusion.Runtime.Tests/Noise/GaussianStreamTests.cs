using Diffusion.Runtime.Noise;

namespace Diffusion.Runtime.Tests.Noise;

public class GaussianStreamTests
{
    [Fact]
    public void StreamIsStandardNormalAndNeverInfinite()
    {
        var s = new GaussianStream(42, 0);
        const int n = 1_000_000;
        double sum = 0, sumSq = 0, maxAbs = 0;
        for (int i = 0; i < n; i++)
        {
            double z = s.NextGaussian();
            Assert.True(double.IsFinite(z));
            sum += z; sumSq += z * z; maxAbs = Math.Max(maxAbs, Math.Abs(z));
        }
        Assert.InRange(sum / n, -0.005, 0.005);
        Assert.InRange(sumSq / n, 0.99, 1.01);
        Assert.True(maxAbs < 8.6);
    }

    [Fact]
    public void SameSeedAndIndexGiveTheSameStreamOthersDiffer()
    {
        float[] a = new float[64], b = new float[64], c = new float[64], d = new float[64];
        new GaussianStream(7, 3).Fill(a);
        new GaussianStream(7, 3).Fill(b);
        new GaussianStream(7, 4).Fill(c);
        new GaussianStream(8, 3).Fill(d);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
    }

    [Fact]
    public void BatchNoiseDependsOnlyOnSeedAndSampleIndex()
    {
        const int dim = 5;
        var all = new float[16 * dim];
        var whole = new BatchNoise(11, 0, 16, dim);
        whole.Fill(all);
        whole.Fill(all); // second draw: the stream state advances per sample
        for (int batch = 0; batch < 4; batch++)
        {
            var part = new float[4 * dim];
            var noise = new BatchNoise(11, batch * 4, 4, dim);
            noise.Fill(part);
            noise.Fill(part);
            Assert.Equal(all.AsSpan(batch * 4 * dim, 4 * dim).ToArray(), part);
        }
    }
}
