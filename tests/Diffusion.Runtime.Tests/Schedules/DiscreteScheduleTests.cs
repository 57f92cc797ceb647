using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Tests.Schedules;

public class DiscreteScheduleTests
{
    private static DiscreteSchedule Linear() => new(BetaSchedule.Create("linear", 1000, 1e-4, 0.02));

    [Fact]
    public void LinearScheduleMatchesDdpmPublishedFinalAlphaBar()
    {
        // Ho et al. 2020: with betas linear from 1e-4 to 0.02, alpha_bar_T is about 4.04e-5.
        var s = Linear();
        Assert.InRange(s.AlphasCumprod[999], 4.03e-5, 4.05e-5);
        Assert.Equal(1 - 1e-4, s.AlphasCumprod[0], 12);
    }

    [Fact]
    public void CosineScheduleFollowsItsClosedFormUntilTheCap()
    {
        const int T = 1000;
        var s = new DiscreteSchedule(BetaSchedule.Create("squaredcos_cap_v2", T, 0, 0));
        static double F(double u) => Math.Pow(Math.Cos((u + 0.008) / 1.008 * Math.PI / 2), 2);
        for (int i = 0; i < 900; i += 37)
            Assert.Equal(F((i + 1.0) / T) / F(0), s.AlphasCumprod[i], 9);
        Assert.All(s.Betas, b => Assert.True(b <= 0.999));
    }

    [Fact]
    public void ScaledLinearIsLinearInSquareRootOfBeta()
    {
        var betas = BetaSchedule.Create("scaled_linear", 11, 0.00085, 0.012);
        Assert.Equal(0.00085, betas[0], 12);
        Assert.Equal(0.012, betas[^1], 12);
        Assert.Equal((Math.Sqrt(0.00085) + Math.Sqrt(0.012)) / 2, Math.Sqrt(betas[5]), 12);
    }

    [Fact]
    public void IntegerTimesGiveExactAlphaBar()
    {
        var s = Linear();
        foreach (int i in new[] { 0, 1, 250, 999 })
        {
            var p = s.At(i);
            Assert.Equal(Math.Sqrt(s.AlphasCumprod[i]), p.Alpha, 12);
            Assert.Equal(1, p.Alpha * p.Alpha + p.Sigma * p.Sigma, 12);
        }
    }

    [Fact]
    public void FractionalTimesInterpolateLogScaledSigma()
    {
        var s = Linear();
        double lo = Math.Log(s.At(100).ScaledSigma), hi = Math.Log(s.At(101).ScaledSigma);
        var p = s.At(100.25);
        Assert.Equal(0.75 * lo + 0.25 * hi, Math.Log(p.ScaledSigma), 10);
        Assert.Equal(1, p.Alpha * p.Alpha + p.Sigma * p.Sigma, 12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(3.5)]
    [InlineData(517.25)]
    [InlineData(999.0)]
    public void TimeOfScaledSigmaInvertsTheSchedule(double time)
    {
        var s = Linear();
        Assert.Equal(time, s.TimeOfScaledSigma(s.At(time).ScaledSigma), 8);
    }

    [Fact]
    public void CleanEndHonoursSetAlphaToOne()
    {
        var betas = BetaSchedule.Create("linear", 1000, 1e-4, 0.02);
        Assert.True(new DiscreteSchedule(betas, setAlphaToOne: true).Clean.IsClean);
        var notClean = new DiscreteSchedule(betas, setAlphaToOne: false).Clean;
        Assert.Equal(Math.Sqrt(1 - 1e-4), notClean.Alpha, 12);
    }

    [Fact]
    public void UnknownBetaScheduleIsAClearError()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => BetaSchedule.Create("cosine", 10, 1e-4, 0.02));
        Assert.Contains("squaredcos_cap_v2", e.Message);
    }
}
