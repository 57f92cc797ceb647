using Diffusion.Torch.Modules;

namespace Diffusion.Torch.Tests;

public class ModuleTests
{
    private sealed class Block : Module<Tensor, Tensor>
    {
        public Block(Generator g)
        {
            conv = RegisterModule("conv", new Conv2d(4, 8, 3, padding: 1, generator: g));
            norm = RegisterModule("norm", new GroupNorm(2, 8));
            attn = RegisterModule("attn", new SelfAttention2d(8, heads: 2, groups: 2, generator: g));
            layers = RegisterModule("layers", new ModuleList<Linear>(new Linear(8, 8, generator: g), new Linear(8, 3, hasBias: false, generator: g)));
            dropout = RegisterModule("dropout", new Dropout(0.5));
        }

        public Conv2d conv { get; }
        public GroupNorm norm { get; }
        public SelfAttention2d attn { get; }
        public ModuleList<Linear> layers { get; }
        public Dropout dropout { get; }

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var h = attn.forward(norm.forward(conv.forward(x)).silu());
            var pooled = h.mean([2L, 3L]);
            return layers[1].forward(layers[0].forward(pooled).silu()).MoveToOuterDisposeScope();
        }
    }

    [Fact]
    public void ParametersHaveStableDottedNamesInRegistrationOrder()
    {
        using var g = new Generator(0);
        using var block = new Block(g);
        string[] expected =
        [
            "conv.weight", "conv.bias", "norm.weight", "norm.bias",
            "attn.norm.weight", "attn.norm.bias", "attn.query.weight", "attn.query.bias", "attn.key.weight", "attn.key.bias",
            "attn.value.weight", "attn.value.bias", "attn.proj_out.weight", "attn.proj_out.bias",
            "layers.0.weight", "layers.0.bias", "layers.1.weight",
        ];
        Assert.Equal(expected, block.named_parameters().Select(p => p.name));
        Assert.Same(block.layers[1].weight, block.get_parameter("layers.1.weight"));
        Assert.Equal(["", "conv", "norm", "attn", "attn.norm", "attn.query", "attn.key", "attn.value", "attn.proj_out", "layers", "layers.0", "layers.1", "dropout"],
            block.named_modules().Select(m => m.name));
        Assert.All(block.parameters(), p => Assert.True(p.requires_grad && p.is_leaf));
    }

    [Fact]
    public void SameSeedGivesSameWeightsAndADifferentSeedDoesNot()
    {
        float[][] Weights(ulong seed)
        {
            using var g = new Generator(seed);
            using var block = new Block(g);
            return block.parameters().Select(p => p.ToArray<float>()).ToArray();
        }
        float[][] GlobalWeights(ulong seed)
        {
            torch.manual_seed(seed);
            using var layer = new Linear(5, 7);
            return [layer.weight.ToArray<float>(), layer.bias!.ToArray<float>()];
        }
        Assert.Equal(Weights(7), Weights(7));
        Assert.NotEqual(Weights(7)[0], Weights(8)[0]);
        Assert.Equal(GlobalWeights(3), GlobalWeights(3));
    }

    [Fact]
    public void LinearAndConvInitialisationFollowsPyTorchsKaimingUniformBounds()
    {
        using var g = new Generator(1);
        using var linear = new Linear(64, 256, generator: g);
        var w = linear.weight.ToArray<float>();
        double bound = 1 / Math.Sqrt(64);
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        double variance = w.Average(v => (double)v * v);
        Assert.InRange(variance, 0.9 * bound * bound / 3, 1.1 * bound * bound / 3); // Var U(-b, b) = b²/3
        Assert.All(linear.bias!.ToArray<float>(), v => Assert.InRange(v, -bound, bound));

        using var conv = new Conv2d(8, 32, 3, generator: g);
        double convBound = 1 / Math.Sqrt(8 * 9);
        var cw = conv.weight.ToArray<float>();
        Assert.All(cw, v => Assert.InRange(v, -convBound, convBound));
        Assert.True(cw.Max() > 0.9 * convBound && cw.Min() < -0.9 * convBound);
        Assert.Equal([32L, 8L, 3L, 3L], conv.weight.shape);
    }

    [Fact]
    public void LinearComputesXWTransposePlusBias()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(2);
        using var linear = new Linear(3, 2, generator: g);
        var x = torch.tensor([1f, 2, 3]).reshape(1, 3);
        var w = linear.weight.ToArray<float>();
        var b = linear.bias!.ToArray<float>();
        var y = linear.forward(x).ToArray<float>();
        for (int o = 0; o < 2; o++) Assert.Equal(w[o * 3] + 2 * w[o * 3 + 1] + 3 * w[o * 3 + 2] + b[o], y[o], 5);
    }

    [Fact]
    public void EvalModeTurnsDropoutOffRecursively()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(3);
        using var block = new Block(g);
        var x = torch.ones(1000);
        Assert.True(block.dropout.training);
        var dropped = block.dropout.forward(x).ToArray<float>();
        Assert.Contains(0f, dropped);
        Assert.Contains(2f, dropped); // survivors are scaled by 1 / (1 - p)
        block.eval();
        Assert.False(block.dropout.training);
        Assert.All(block.dropout.forward(x).ToArray<float>(), v => Assert.Equal(1f, v));
        block.train();
        Assert.True(block.attn.norm.training);
    }

    [Fact]
    public void SinusoidalEmbeddingMatchesTheTransformerFormula()
    {
        using var scope = torch.NewDisposeScope();
        using var embedding = new SinusoidalTimestepEmbedding(8);
        var t = torch.tensor([0f, 1f, 250.5f]);
        var e = embedding.forward(t).ToArray<float>();
        for (int n = 0; n < 3; n++)
        {
            double time = new[] { 0, 1, 250.5 }[n];
            for (int k = 0; k < 4; k++)
            {
                double omega = Math.Pow(10000, -k / 4.0);
                Assert.Equal(Math.Sin(time * omega), e[n * 8 + k], 3);
                Assert.Equal(Math.Cos(time * omega), e[n * 8 + 4 + k], 3);
            }
        }
        Assert.Equal(["frequencies"], embedding.named_buffers().Select(b => b.name));
        Assert.Throws<ArgumentException>(() => new SinusoidalTimestepEmbedding(7));
    }

    [Fact]
    public void BadConfigurationsFailWithMessagesNamingTheFix()
    {
        var norm = Assert.Throws<ArgumentException>(() => new GroupNorm(32, 48));
        Assert.Contains("48 channels cannot be split into 32 groups", norm.Message);
        var heads = Assert.Throws<ArgumentException>(() => new SelfAttention2d(10, heads: 4, groups: 2));
        Assert.Contains("10 channels cannot be split into 4 heads", heads.Message);
    }

    [Fact]
    public void UpsampleAndDownsampleChangeResolutionByTwo()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(4);
        using var up = new Upsample(6, g);
        using var down = new Downsample(6, g);
        var x = torch.randn([2, 6, 8, 8], g);
        Assert.Equal([2L, 6L, 16L, 16L], up.forward(x).shape);
        Assert.Equal([2L, 6L, 4L, 4L], down.forward(x).shape);
        Assert.Equal([2L, 6L, 16L, 16L], new Upsample().forward(x).shape);
        Assert.Equal(["conv.weight", "conv.bias"], down.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void SmallNetworkInputGradientMatchesFiniteDifferences()
    {
        using var g = new Generator(5);
        using var block = new Block(g);
        block.eval().to(ScalarType.Float64);
        Assert.All(block.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        using var x = torch.randn([2, 4, 3, 3], g, ScalarType.Float64);
        GradCheck.AssertGradientMatches(input => block.forward(input).square().sum(), x, tolerance: 1e-5);
    }

    [Fact]
    public void SmallNetworkGradientReachesEveryParameter()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(6);
        using var block = new Block(g);
        block.forward(torch.randn([2, 4, 3, 3], g)).square().sum().backward();
        foreach (var (name, parameter) in block.named_parameters())
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name} has no gradient");
            Assert.True(grad.abs().sum().item<float>() > 0, $"{name} has an all-zero gradient");
        }
    }
}
