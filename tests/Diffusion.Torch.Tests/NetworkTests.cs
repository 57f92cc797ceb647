using Diffusion.Training.Networks;

namespace Diffusion.Torch.Tests;

public class NetworkTests
{
    private static readonly UNetConfig Small = new()
    {
        InChannels = 2, ImageSize = 8, BaseChannels = 8, ChannelMultipliers = [1, 2], ResBlocksPerLevel = 1,
        AttentionResolutions = [4], AttentionHeads = 2, NormGroups = 4,
    };

    [Fact]
    public void UNetOutputHasTheInputShape()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(0);
        using var net = new UNet(Small, g);
        var x = torch.randn([3, 2, 8, 8], g);
        Assert.Equal([3L, 2L, 8L, 8L], net.forward(x, torch.tensor([0f, 10f, 999f])).shape);
        Assert.Equal([3L, 2L, 16L, 16L], net.forward(torch.randn([3, 2, 16, 16], g), torch.tensor([5f])).shape); // any multiple of 2^(levels-1)
    }

    [Fact]
    public void UNetGradientReachesEveryParameter()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(1);
        using var net = new UNet(Small with { NumClasses = 3, Dropout = 0.1 }, g);
        var x = torch.randn([4, 2, 8, 8], g);
        var loss = torch.nn.functional.mse_loss(net.forward(x, torch.tensor([1f, 2f, 3f, 4f]), torch.tensor([0L, 1L, 2L, 3L])), x);
        loss.backward();
        foreach (var (name, parameter) in net.named_parameters())
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name} has no gradient");
            Assert.True(grad.abs().sum().item<float>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void UNetParameterNamesAreStructuredAndUnique()
    {
        using var g = new Generator(2);
        using var net = new UNet(Small with { NumClasses = 10 }, g);
        var names = net.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        string[] expected =
        [
            "time_embedding.linear1.weight", "class_embedding.weight", "conv_in.weight", "down.0.res.0.conv1.weight",
            "down.0.downsample.conv.weight", "down.1.res.0.skip.weight", "down.1.attn.0.query.weight", "mid.res1.time_proj.weight",
            "mid.attn.proj_out.bias", "up.0.res.1.norm1.weight", "up.0.attn.1.key.weight", "up.0.upsample.conv.weight",
            "up.1.res.1.skip.weight", "norm_out.weight", "conv_out.bias",
        ];
        Assert.All(expected, name => Assert.Contains(name, names));
        Assert.DoesNotContain(names, n => n.StartsWith("down.0.attn", StringComparison.Ordinal)); // resolution 8 has no attention
        Assert.Equal([11L, 32L], net.class_embedding!.weight.shape); // 10 classes + the null label
        Assert.Equal(["time_embedding.sinusoidal.frequencies"], net.named_buffers().Select(b => b.name));
    }

    [Fact]
    public void OmittedLabelsMeanTheNullLabel()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(3);
        using var net = new UNet(Small with { NumClasses = 2 }, g);
        net.eval();
        var x = torch.randn([2, 2, 8, 8], g);
        var t = torch.tensor([3f, 7f]);
        var implicitNull = net.forward(x, t).ToArray<float>();
        var explicitNull = net.forward(x, t, torch.tensor([2L, 2L])).ToArray<float>();
        var labelled = net.forward(x, t, torch.tensor([0L, 1L])).ToArray<float>();
        Assert.Equal(explicitNull, implicitNull);
        Assert.NotEqual(labelled, implicitNull);
    }

    [Fact]
    public void UNetOutputDependsOnTheTimestep()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(4);
        using var net = new UNet(Small, g);
        var x = torch.randn([1, 2, 8, 8], g);
        var early = net.forward(x, torch.tensor([1f]));
        var late = net.forward(x, torch.tensor([500f]));
        Assert.True((early - late).abs().amax().item<float>() > 1e-4);
    }

    [Fact]
    public void ImageSizeNotDivisibleByTheLevelFactorIsRejectedWithTheFix()
    {
        var config = new UNetConfig { ImageSize = 30, ChannelMultipliers = [1, 2, 2] };
        var error = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Equal("UNet config: image size 30 is not divisible by 2^(levels-1) = 4 for 3 levels: pad the images to a multiple of 4 or use fewer levels", error.Message);
        new UNetConfig { ImageSize = 28, AttentionResolutions = [14] }.Validate(); // MNIST needs no padding with 3 levels

        using var scope = torch.NewDisposeScope();
        using var g = new Generator(5);
        using var net = new UNet(Small, g);
        var input = Assert.Throws<ArgumentException>(() => net.forward(torch.zeros(1, 2, 7, 7), torch.tensor([1f])));
        Assert.StartsWith("image size 7x7 is not divisible by 2^(levels-1) = 2", input.Message);
        Assert.Throws<ArgumentException>(() => new UNet(Small with { AttentionResolutions = [3] }));
        Assert.Throws<ArgumentException>(() => net.forward(torch.zeros(1, 2, 8, 8), torch.tensor([1f]), torch.tensor([0L])));
    }

    [Fact]
    public void ConfigsRoundTripThroughJson()
    {
        var unet = Small with { NumClasses = 10, Dropout = 0.1 };
        var json = unet.ToJson();
        Assert.Contains("\"channelMultipliers\"", json);
        Assert.Equal(unet, UNetConfig.FromJson(json));
        var mlp = new MlpDenoiserConfig { DataDimension = 3, TimeConditioning = TimeConditioning.Concat };
        Assert.Contains("\"concat\"", mlp.ToJson());
        Assert.Equal(mlp, MlpDenoiserConfig.FromJson(mlp.ToJson()));
    }

    [Fact]
    public void SameSeedBuildsTheSameUNet()
    {
        float[] Fingerprint(ulong seed)
        {
            using var g = new Generator(seed);
            using var net = new UNet(Small, g);
            return net.parameters().SelectMany(p => p.ToArray<float>()).ToArray();
        }
        Assert.Equal(Fingerprint(9), Fingerprint(9));
        Assert.NotEqual(Fingerprint(9), Fingerprint(10));
    }

    [Theory]
    [InlineData(TimeConditioning.Add)]
    [InlineData(TimeConditioning.Concat)]
    public void MlpDenoiserKeepsTheSampleShapeAndTrainsEveryParameter(TimeConditioning mode)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(6);
        using var net = new MlpDenoiser(new MlpDenoiserConfig { DataDimension = 3, HiddenWidth = 16, Depth = 2, TimeEmbeddingDim = 8, TimeConditioning = mode }, g);
        var flat = torch.randn([5, 3], g);
        var t = torch.rand([5], g) * 1000;
        Assert.Equal([5L, 3L], net.forward(flat, t).shape);
        var image = flat.reshape(5, 3, 1, 1);
        var output = net.forward(image, t);
        Assert.Equal([5L, 3L, 1L, 1L], output.shape);
        Assert.Equal(net.forward(flat, t).ToArray<float>(), output.ToArray<float>());
        output.square().mean().backward();
        Assert.All(net.named_parameters(), p => Assert.True(p.parameter.grad is not null, $"{p.name} has no gradient"));
        Assert.Equal(["time_embedding.linear1.weight", "time_embedding.linear1.bias", "time_embedding.linear2.weight", "time_embedding.linear2.bias",
            "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "out.weight", "out.bias"], net.named_parameters().Select(p => p.name));
        var error = Assert.Throws<ArgumentException>(() => net.forward(torch.zeros(5, 4), t));
        Assert.Contains("[N, 3] or [N, 3, 1, 1]", error.Message);
    }

    [Fact]
    public void MlpDenoiserLearnsToPredictNoiseOnAToyProblem()
    {
        // Data at a single point (1, −1): the optimal ε-prediction is affine in x_t, so a small MLP fits it well.
        using var g = new Generator(7);
        using var net = new MlpDenoiser(new MlpDenoiserConfig { HiddenWidth = 64, Depth = 2, TimeEmbeddingDim = 16 }, g);
        using var adam = new Optim.Adam(net.parameters(), lr: 3e-3);
        double Loss()
        {
            using var scope = torch.NewDisposeScope();
            var x0 = torch.tensor([1f, -1f]).reshape(1, 2).expand(256, 2);
            var t = torch.rand([256], g);
            var noise = torch.randn([256, 2], g);
            var alpha = (1 - t).unsqueeze(1);
            var xt = x0 * alpha.sqrt() + noise * (1 - alpha).sqrt();
            var loss = torch.nn.functional.mse_loss(net.forward(xt, t * 1000), noise);
            adam.zero_grad();
            loss.backward();
            adam.step();
            return loss.item<double>();
        }
        double first = Loss();
        double last = 0;
        for (int i = 0; i < 300; i++) last = Loss();
        Assert.True(last < 0.5 * first, $"loss went from {first} to {last}");
    }
}
