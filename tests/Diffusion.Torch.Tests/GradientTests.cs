using F = Diffusion.Torch.torch.nn.functional;

namespace Diffusion.Torch.Tests;

public class GradientTests
{
    private static Tensor Random(long[] shape, ulong seed)
    {
        using var g = new Generator(seed);
        return torch.randn(shape, g, ScalarType.Float64);
    }

    [Fact]
    public void SiluGradientMatchesTheClosedForm()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor([-3.0, -0.5, 0, 0.7, 2.5]).requires_grad_();
        F.silu(x).sum().backward();
        var grad = x.grad!.ToArray<double>();
        double[] xs = [-3.0, -0.5, 0, 0.7, 2.5];
        for (int i = 0; i < xs.Length; i++)
        {
            double s = 1 / (1 + Math.Exp(-xs[i]));
            Assert.Equal(s * (1 + xs[i] * (1 - s)), grad[i], 12); // d/dx x·σ(x) = σ(x)(1 + x(1 − σ(x)))
        }
    }

    [Fact]
    public void SiluGradientMatchesFiniteDifferences()
    {
        using var x = Random([3, 4], 1);
        GradCheck.AssertGradientMatches(x => (F.silu(x) * x).sum(), x);
    }

    [Fact]
    public void GroupNormGradientMatchesFiniteDifferences()
    {
        using var weights = Random([4], 2);
        using var target = Random([2, 4, 3, 3], 3);
        using var x = Random([2, 4, 3, 3], 4);
        GradCheck.AssertGradientMatches(x => (F.group_norm(x, 2, weights) * target).sum(), x);
    }

    [Fact]
    public void Conv2dGradientMatchesFiniteDifferencesForInputAndWeight()
    {
        using var x = Random([1, 2, 5, 5], 5);
        using var w = Random([3, 2, 3, 3], 6);
        using var target = Random([1, 3, 3, 3], 7);
        GradCheck.AssertGradientMatches(input => (F.conv2d(input, w, stride: 2, padding: 1) * target).sum(), x);
        GradCheck.AssertGradientMatches(weight => (F.conv2d(x, weight, stride: 2, padding: 1) * target).sum(), w);
    }

    [Fact]
    public void AttentionGradientMatchesFiniteDifferences()
    {
        using var k = Random([2, 5, 4], 8);
        using var v = Random([2, 5, 3], 9);
        using var target = Random([2, 6, 3], 10);
        using var q = Random([2, 6, 4], 11);
        GradCheck.AssertGradientMatches(q => (F.scaled_dot_product_attention(q, k, v) * target).sum(), q);
        using var q0 = Random([2, 6, 4], 12);
        GradCheck.AssertGradientMatches(key => (F.scaled_dot_product_attention(q0, key, v) * target).sum(), k);
    }

    [Fact]
    public void CompositeExpressionGradientMatchesFiniteDifferences()
    {
        using var x = Random([6], 13);
        GradCheck.AssertGradientMatches(
            x => (x.exp().log() * x.sin() + x.cos().pow(2) / (x.square() + 1) - x.sigmoid().sqrt()).mean(), x);
    }

    [Fact]
    public void GradientsAccumulateUntilCleared()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor([2.0]).requires_grad_();
        Assert.Null(x.grad);
        (x * x).sum().backward();
        (x * x).sum().backward();
        Assert.Equal(8.0, x.grad!.item<double>()); // 2 · 2x at x = 2
        x.ClearGrad();
        Assert.Null(x.grad);
    }

    [Fact]
    public void NoGradScopeStopsRecordingAndRestoresTheMode()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor([1.0]).requires_grad_();
        Assert.True(torch.is_grad_enabled());
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            Assert.False((x * 2).requires_grad);
            using (torch.enable_grad()) Assert.True((x * 2).requires_grad);
            Assert.False(torch.is_grad_enabled());
        }
        Assert.True(torch.is_grad_enabled());
        var y = x * 2;
        Assert.True(y.requires_grad);
        Assert.False(y.is_leaf);
        Assert.False(y.detach().requires_grad);
    }
}
