using Diffusion.Torch;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

public class ExponentialMovingAverageTests
{
    [Fact]
    public void DecayWarmsUpAsOnePlusTOverTenPlusTThenCaps()
    {
        Assert.Equal(0.1, ExponentialMovingAverage.DecayAt(0.999, 0), 12);
        Assert.Equal(11.0 / 20, ExponentialMovingAverage.DecayAt(0.999, 10), 12);
        Assert.Equal(0.999, ExponentialMovingAverage.DecayAt(0.999, 100_000), 12);
        Assert.Equal(0.5, ExponentialMovingAverage.DecayAt(0.5, 50), 12);
    }

    [Fact]
    public void UpdatesMatchTheHandComputedAverage()
    {
        _ = TinyRuns.Ring; // one libtorch thread
        var spec = TinyRuns.TinyMlp;
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        using var model = spec.Build(g1);
        using var average = spec.Build(g2);
        var ema = new ExponentialMovingAverage(model, average, decay: 0.95);
        ema.Reset();
        double[] expected = [.. TinyRuns.Weights(model).Select(v => (double)v)];
        Assert.Equal(TinyRuns.Weights(model), TinyRuns.Weights(average));

        for (long t = 0; t < 40; t++)
        {
            // Move the weights somewhere new: w <- 0.9 w + 0.01 (t + 1).
            using (torch.no_grad())
            {
                foreach (var (_, p) in model.Parameters) p.mul_(0.9).add_(0.01 * (t + 1));
            }
            ema.Update(t);
            double d = Math.Min(0.95, (1.0 + t) / (10.0 + t));
            float[] w = TinyRuns.Weights(model);
            for (int i = 0; i < expected.Length; i++) expected[i] = d * expected[i] + (1 - d) * w[i];
        }
        float[] actual = TinyRuns.Weights(average);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5);
        Assert.NotEqual(TinyRuns.Weights(model), actual); // the average lags the weights
    }

    [Fact]
    public void AnotherArchitectureIsRefused()
    {
        using var small = TinyRuns.TinyMlp.Build();
        using var large = NetworkSpec.Mlp(new Networks.MlpDenoiserConfig { HiddenWidth = 32 }).Build();
        Assert.Throws<ArgumentException>(() => new ExponentialMovingAverage(small, large, 0.9));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(small, small, 1.0));
    }
}
