namespace Diffusion.Torch.Tests;

public class TensorOpsTests
{
    private static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void CreationFunctionsHaveShapeTypeAndValues()
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.zeros(2, 3);
        Assert.Equal([2L, 3L], z.shape);
        Assert.Equal(ScalarType.Float32, z.dtype);
        Assert.All(z.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(torch.ones(4).ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.All(torch.full([2, 2], 2.5, ScalarType.Float64).ToArray<double>(), v => Assert.Equal(2.5, v));
        Assert.Equal([0.0, 0.5, 1.0, 1.5], torch.arange(0, 2, 0.5, ScalarType.Float64).ToArray<double>());
        Assert.Equal([1L, 2L, 3L, 4L], torch.tensor([1L, 2, 3, 4], 2, 2).ToArray<long>());
        Assert.Equal(ScalarType.Int64, torch.tensor([1L]).dtype);
        Assert.Equal(3.5f, torch.tensor(3.5f).item<float>());
    }

    [Fact]
    public void RandnFromASeededGeneratorIsReproducibleAndStandardNormal()
    {
        using var scope = torch.NewDisposeScope();
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        var a = torch.randn([20000], g1).ToArray<float>();
        var b = torch.randn([20000], g2).ToArray<float>();
        Assert.Equal(a, b);
        double mean = a.Average(v => (double)v);
        double variance = a.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.03, 0.03);   // 4 standard errors of the mean (1/sqrt(20000) = 0.007)
        Assert.InRange(variance, 0.95, 1.05);
        var u = torch.rand([10000], g1).ToArray<float>();
        Assert.All(u, v => Assert.InRange(v, 0f, 1f));
        Assert.InRange(u.Average(v => (double)v), 0.49, 0.51);
        var labels = torch.randint(0, 3, [1000], g1).ToArray<long>();
        Assert.Equal([0L, 1L, 2L], labels.Distinct().Order());
    }

    [Fact]
    public void ArithmeticOperatorsMatchElementwiseFormulas()
    {
        using var scope = torch.NewDisposeScope();
        double[] xs = [0.5, 1.0, 2.0, 3.0];
        double[] ys = [4.0, -1.0, 0.25, 2.0];
        var x = torch.tensor(xs);
        var y = torch.tensor(ys);
        AssertClose(xs.Zip(ys, (a, b) => a + b).ToArray(), (x + y).ToArray<double>());
        AssertClose(xs.Zip(ys, (a, b) => a - b).ToArray(), (x - y).ToArray<double>());
        AssertClose(xs.Zip(ys, (a, b) => a * b).ToArray(), (x * y).ToArray<double>());
        AssertClose(xs.Zip(ys, (a, b) => a / b).ToArray(), (x / y).ToArray<double>());
        AssertClose(xs.Select(a => 2 - a).ToArray(), (2 - x).ToArray<double>());
        AssertClose(xs.Select(a => 3 / a).ToArray(), (3 / x).ToArray<double>());
        AssertClose(xs.Select(a => a * 2 + 1).ToArray(), (x * 2 + 1).ToArray<double>());
        AssertClose(xs.Select(a => -a).ToArray(), (-x).ToArray<double>());
        AssertClose(xs.Select(a => Math.Pow(a, 1.5)).ToArray(), x.pow(1.5).ToArray<double>());
    }

    [Fact]
    public void UnaryFunctionsMatchTheirClosedForms()
    {
        using var scope = torch.NewDisposeScope();
        double[] xs = [-2.0, -0.5, 0.1, 1.0, 3.0];
        var x = torch.tensor(xs);
        AssertClose(xs.Select(Math.Exp).ToArray(), x.exp().ToArray<double>());
        AssertClose(xs.Select(Math.Sin).ToArray(), torch.sin(x).ToArray<double>());
        AssertClose(xs.Select(Math.Cos).ToArray(), torch.cos(x).ToArray<double>());
        AssertClose(xs.Select(a => 1 / (1 + Math.Exp(-a))).ToArray(), x.sigmoid().ToArray<double>());
        AssertClose(xs.Select(a => a / (1 + Math.Exp(-a))).ToArray(), torch.nn.functional.silu(x).ToArray<double>());
        AssertClose(xs.Select(a => Math.Clamp(a, -1, 1)).ToArray(), x.clamp(-1, 1).ToArray<double>());
        AssertClose(xs.Select(a => Math.Max(a, 0)).ToArray(), x.clamp(min: 0).ToArray<double>());
        var positive = x.abs();
        AssertClose(xs.Select(a => Math.Log(Math.Abs(a))).ToArray(), positive.log().ToArray<double>());
        AssertClose(xs.Select(a => Math.Sqrt(Math.Abs(a))).ToArray(), positive.sqrt().ToArray<double>());
    }

    [Fact]
    public void ReductionsSumAndAverageAlongDimensions()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor([1.0, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal(21.0, x.sum().item<double>());
        Assert.Equal(3.5, x.mean().item<double>());
        Assert.Equal([6.0, 15.0], x.sum(1).ToArray<double>());
        Assert.Equal([2.5, 3.5, 4.5], x.mean(0).ToArray<double>());
        Assert.Equal([2L, 1L], x.mean(1, keepdim: true).shape);
        Assert.Equal(Math.Sqrt(91), x.norm().item<double>(), 12);
        Assert.Equal(6.0, x.amax().item<double>());
    }

    [Fact]
    public void MatmulAndLinearMatchHandComputedProducts()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor([1.0, 2, 3, 4, 5, 6], 2, 3);
        var b = torch.tensor([1.0, 0, 0, 1, 1, 1], 3, 2);
        Assert.Equal([4.0, 5, 10, 11], a.matmul(b).ToArray<double>());
        var w = torch.tensor([1.0, 1, 1, 0, 1, 0], 2, 3); // y0 = x0 + x1 + x2, y1 = x1
        var bias = torch.tensor([10.0, 20]);
        Assert.Equal([16.0, 22, 25, 25], torch.nn.functional.linear(a, w, bias).ToArray<double>());
    }

    [Fact]
    public void ShapeOperationsRearrangeElements()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(6, ScalarType.Float64).reshape(2, 3);
        Assert.Equal([0.0, 3, 1, 4, 2, 5], x.transpose(0, 1).ToArray<double>());
        Assert.Equal([0.0, 3, 1, 4, 2, 5], x.permute(1, 0).ToArray<double>());
        Assert.Equal([1L, 2L, 3L], x.unsqueeze(0).shape);
        Assert.Equal([6L], x.flatten().shape);
        Assert.Equal([2L, 3L], x.unsqueeze(0).squeeze(0).shape);
        var cat = torch.cat([x, x], 1);
        Assert.Equal([2L, 6L], cat.shape);
        Assert.Equal([0.0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5], cat.ToArray<double>());
        Assert.Equal([2L, 2L, 3L], torch.stack([x, x]).shape);
        var parts = cat.chunk(2, 1);
        Assert.Equal(2, parts.Length);
        Assert.Equal(x.ToArray<double>(), parts[1].ToArray<double>());
        var pieces = torch.arange(5).split(2);
        Assert.Equal([2L, 2L, 1L], pieces.Select(p => p.numel()));
        Assert.Equal([3.0, 4, 5], x.narrow(0, 1, 1).ToArray<double>());
        Assert.Equal([3.0, 4, 5, 0, 1, 2], x.index_select(0, torch.tensor([1L, 0])).ToArray<double>());
        Assert.Equal([2L, 3L, 4L], x.unsqueeze(2).expand(2, 3, 4).shape);
    }

    [Fact]
    public void Conv2dWithAOnesKernelSumsNeighbourhoods()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(16, ScalarType.Float64).reshape(1, 1, 4, 4);
        var w = torch.ones([1, 1, 3, 3], ScalarType.Float64);
        var valid = torch.nn.functional.conv2d(x, w);
        Assert.Equal([1L, 1L, 2L, 2L], valid.shape);
        // window sums: rows 0-2/cols 0-2 of 0..15 = 45, shifted by 1 column adds 3, by one row adds 12.
        Assert.Equal([45.0, 54, 81, 90], valid.ToArray<double>());
        var strided = torch.nn.functional.conv2d(x, w, stride: 2, padding: 1);
        Assert.Equal([1L, 1L, 2L, 2L], strided.shape);
        Assert.Equal(0 + 1 + 4 + 5, strided.ToArray<double>()[0]);
    }

    [Fact]
    public void GroupNormNormalisesEachGroupToZeroMeanUnitVariance()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(1);
        var x = torch.randn([2, 4, 3, 3], g, ScalarType.Float64) * 3 + 5;
        var y = torch.nn.functional.group_norm(x, 2, eps: 0);
        var grouped = y.reshape(2, 2, -1);
        foreach (var m in grouped.mean(2).ToArray<double>()) Assert.Equal(0, m, 10);
        var variance = grouped.square().mean(2).ToArray<double>();
        foreach (var v in variance) Assert.Equal(1, v, 10);
        var weight = torch.tensor([1.0, 2, 3, 4]);
        var bias = torch.tensor([0.0, 1, 0, 0]);
        var affine = torch.nn.functional.group_norm(x, 2, weight, bias, eps: 0);
        var expected = y.narrow(1, 1, 1) * 2 + 1;
        Assert.True((affine.narrow(1, 1, 1) - expected).abs().amax().item<double>() < 1e-12);
    }

    [Fact]
    public void SoftmaxRowsArePositiveAndSumToOne()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor([1.0, 2, 3, 0, 0, 0], 2, 3);
        var p = x.softmax(-1).ToArray<double>();
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(Math.Exp(1) / z, p[0], 12);
        Assert.Equal(1.0 / 3, p[4], 12);
    }

    [Fact]
    public void NearestUpsampleRepeatsPixelsAndAvgPoolAveragesThem()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor([1.0, 2, 3, 4], 1, 1, 2, 2);
        var up = torch.nn.functional.interpolate(x, 2);
        Assert.Equal([1.0, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], up.ToArray<double>());
        Assert.Equal(x.ToArray<double>(), torch.nn.functional.avg_pool2d(up, 2).ToArray<double>());
    }

    [Fact]
    public void EmbeddingPicksRowsAndMseLossAveragesSquares()
    {
        using var scope = torch.NewDisposeScope();
        var table = torch.tensor([0.0, 1, 10, 11, 20, 21], 3, 2);
        Assert.Equal([20.0, 21, 0, 1], torch.nn.functional.embedding(torch.tensor([2L, 0]), table).ToArray<double>());
        var a = torch.tensor([1.0, 2, 3]);
        var b = torch.tensor([1.0, 0, 0]);
        Assert.Equal(13.0 / 3, torch.nn.functional.mse_loss(a, b).item<double>(), 12);
        Assert.Equal(13.0, torch.nn.functional.mse_loss(a, b, Reduction.Sum).item<double>(), 12);
    }

    [Fact]
    public void AttentionWithIdenticalKeysAveragesTheValues()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(3);
        var q = torch.randn([1, 4, 8], g, ScalarType.Float64);
        var k = torch.ones([1, 5, 8], ScalarType.Float64);
        var v = torch.randn([1, 5, 3], g, ScalarType.Float64);
        var output = torch.nn.functional.scaled_dot_product_attention(q, k, v);
        var mean = v.mean(1, keepdim: true).expand(1, 4, 3);
        Assert.True((output - mean).abs().amax().item<double>() < 1e-12);
    }

    [Fact]
    public void InPlaceHelpersUpdateTheirTarget()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor([1.0, 2]);
        var a = torch.tensor([3.0, 4]);
        var b = torch.tensor([2.0, 8]);
        t.add_(a, alpha: 2);            // [7, 10]
        t.mul_(0.5);                     // [3.5, 5]
        t.addcmul_(a, b, value: 0.5);    // + [3, 16]
        Assert.Equal([6.5, 21], t.ToArray<double>());
        t.addcdiv_(a, b, value: 2);      // + [3, 1]
        Assert.Equal([9.5, 22], t.ToArray<double>());
        t.copy_(a).div_(2);
        Assert.Equal([1.5, 2], t.ToArray<double>());
        Assert.All(t.zero_().ToArray<double>(), v => Assert.Equal(0, v));
    }
}
