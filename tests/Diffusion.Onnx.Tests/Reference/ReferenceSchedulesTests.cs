using Diffusion.Testing;

namespace Diffusion.Onnx.Tests.Reference;

public sealed class ReferenceSchedulesTests
{
    private static readonly double[] LinearAlphaBars = ReferenceSchedules.AlphaBars(ReferenceSchedules.Betas("linear"));

    [Fact]
    public void LinearScheduleEndsAtDiffusersFinalAlphaBar()
    {
        // prod_i (1 - beta_i) for 1000 betas from 1e-4 to 0.02: diffusers' alphas_cumprod[-1].
        Assert.Equal(4.0358297653756754e-05, LinearAlphaBars[^1], 1e-15);
    }

    [Fact]
    public void ScaledLinearBetasHaveEvenlySpacedSquareRoots()
    {
        var betas = ReferenceSchedules.Betas("scaled_linear", 11, 0.01, 0.04);
        Assert.Equal(0.01, betas[0], 1e-15);
        Assert.Equal(0.04, betas[^1], 1e-15);
        Assert.Equal(0.15 * 0.15, betas[5], 1e-15); // sqrt halfway between 0.1 and 0.2
    }

    [Fact]
    public void CosineAlphaBarsTelescopeToTheClosedForm()
    {
        // Uncapped, prod_{j <= i} f((j + 1) / T) / f(j / T) = f((i + 1) / T) / f(0) with f(t) = cos^2((t + s) / (1 + s) pi / 2).
        static double F(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var alphaBars = ReferenceSchedules.AlphaBars(ReferenceSchedules.Betas("squaredcos_cap_v2"));
        foreach (var i in new[] { 0, 100, 500, 900 })
            Assert.Equal(F((i + 1) / 1000.0) / F(0), alphaBars[i], 1e-12);
        Assert.Equal(0.999, ReferenceSchedules.Betas("squaredcos_cap_v2")[^1]); // f(1) = 0: capped
    }

    [Theory]
    [InlineData(0)]
    [InlineData(250)]
    [InlineData(999)]
    public void IntegerIndicesGiveTheSquareRootsOfAlphaBar(int index)
    {
        var (alpha, sigma) = ReferenceSchedules.Discrete(LinearAlphaBars, index);
        Assert.Equal(Math.Sqrt(LinearAlphaBars[index]), alpha, 1e-14);
        Assert.Equal(Math.Sqrt(1 - LinearAlphaBars[index]), sigma, 1e-14);
    }

    [Fact]
    public void FractionalIndicesInterpolateLogSigma()
    {
        static double LogS(double alphaBar) => 0.5 * Math.Log((1 - alphaBar) / alphaBar);
        var (alpha, sigma) = ReferenceSchedules.Discrete(LinearAlphaBars, 10.25);
        var expected = 0.75 * LogS(LinearAlphaBars[10]) + 0.25 * LogS(LinearAlphaBars[11]);
        Assert.Equal(expected, Math.Log(sigma / alpha), 1e-12);
        Assert.Equal(1, alpha * alpha + sigma * sigma, 1e-14);
    }

    [Fact]
    public void IndicesOutsideTheScheduleAreClamped()
    {
        Assert.Equal(ReferenceSchedules.Discrete(LinearAlphaBars, 0), ReferenceSchedules.Discrete(LinearAlphaBars, -3));
        Assert.Equal(ReferenceSchedules.Discrete(LinearAlphaBars, 999), ReferenceSchedules.Discrete(LinearAlphaBars, 1200));
    }

    [Fact]
    public void VpMatchesItsClosedFormAndPreservesVariance()
    {
        var (alpha, sigma) = ReferenceSchedules.Vp(1.0);
        Assert.Equal(Math.Exp(-19.9 / 4 - 0.05), alpha, 1e-15);
        foreach (var t in new[] { 1e-3, 0.5, 1.0 })
        {
            var level = ReferenceSchedules.Vp(t);
            Assert.Equal(1, level.Alpha * level.Alpha + level.Sigma * level.Sigma, 1e-14);
        }
    }

    [Fact]
    public void VpSigmaIsAccurateNearTimeZero()
    {
        // sigma^2 = 1 - exp(-2 (t^2 (beta_max - beta_min) / 4 + t beta_min / 2)) ~ beta_min t as t -> 0;
        // computed as 1 - exp(...) in double it would carry a relative error near 1e-5 here.
        const double t = 1e-10;
        var sigma = ReferenceSchedules.Vp(t).Sigma;
        var exponent = t * t * 19.9 / 2 + t * 0.1;
        Assert.Equal(exponent - exponent * exponent / 2, sigma * sigma, 1e-24);
    }

    [Fact]
    public void SubVpSigmaIsOneMinusAlphaSquared()
    {
        foreach (var t in new[] { 0.01, 0.4, 1.0 })
        {
            var (alpha, sigma) = ReferenceSchedules.SubVp(t);
            Assert.Equal(ReferenceSchedules.Vp(t).Alpha, alpha);
            Assert.Equal(1 - alpha * alpha, sigma, 1e-14);
        }
    }

    [Fact]
    public void VeKeepsTheSignal()
    {
        Assert.Equal((1.0, 7.5), ReferenceSchedules.Ve(7.5));
    }
}
