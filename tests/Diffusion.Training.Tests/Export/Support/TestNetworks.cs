using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Torch.Modules;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Tests.Export.Support;

/// <summary>The network configurations the export tests cover, by name, with seeded random weights.</summary>
internal static class TestNetworks
{
    /// <summary>1 channel 16x16, attention at 8x8 with 2 heads, 10 classes (+ the null label).</summary>
    public static readonly UNetConfig TinyConditionalUNet = new()
    {
        InChannels = 1, ImageSize = 16, BaseChannels = 16, ChannelMultipliers = [1, 2], ResBlocksPerLevel = 1,
        AttentionResolutions = [8], AttentionHeads = 2, NormGroups = 8, NumClasses = 10,
    };

    /// <summary>The MNIST shape: 28x28, channel multipliers (1, 2, 2), two residual blocks per level, attention at 14x14.</summary>
    public static readonly UNetConfig MnistUNet = new()
    {
        InChannels = 1, ImageSize = 28, BaseChannels = 32, ChannelMultipliers = [1, 2, 2], ResBlocksPerLevel = 2,
        AttentionResolutions = [14], NormGroups = 32,
    };

    /// <summary>RGB 8x8 with uneven multipliers, attention at two resolutions, no middle attention, a custom time width and dropout.</summary>
    public static readonly UNetConfig RgbUNet = new()
    {
        InChannels = 3, ImageSize = 8, BaseChannels = 8, ChannelMultipliers = [1, 2, 3], ResBlocksPerLevel = 2,
        AttentionResolutions = [8, 2], AttentionHeads = 4, MiddleAttention = false, NormGroups = 4,
        TimeEmbeddingDim = 20, Dropout = 0.1, NumClasses = 3,
    };

    public static readonly MlpDenoiserConfig MlpAdd = new() { DataDimension = 2, HiddenWidth = 32, Depth = 3, TimeEmbeddingDim = 16 };

    public static readonly MlpDenoiserConfig MlpConcat = MlpAdd with { TimeConditioning = TimeConditioning.Concat, Depth = 2 };

    public static readonly string[] Names = ["tiny-unet", "mnist-unet", "rgb-unet", "mlp-add", "mlp-concat"];

    public static TheoryData<string> All => new(Names);

    /// <summary>The network called <paramref name="name"/>, in evaluation mode, weights drawn from <paramref name="generator"/>.</summary>
    public static Module Create(string name, Generator generator)
    {
        Module network = name switch
        {
            "tiny-unet" => new UNet(TinyConditionalUNet, generator),
            "mnist-unet" => new UNet(MnistUNet, generator),
            "rgb-unet" => new UNet(RgbUNet, generator),
            "mlp-add" => new MlpDenoiser(MlpAdd, generator),
            "mlp-concat" => new MlpDenoiser(MlpConcat, generator),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown test network"),
        };
        network.eval();
        return network;
    }

    /// <summary>
    /// Exports the network called <paramref name="name"/>, weights drawn from a generator seeded with <paramref name="seed"/>,
    /// to <paramref name="path"/> with <paramref name="config"/> (default <see cref="Ddpm"/>); returns the path.
    /// </summary>
    public static string Export(string name, string path, ulong seed = 11, SchedulerConfig? config = null)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(seed);
        using var module = Create(name, generator);
        OnnxExporter.Export(module, config ?? Ddpm, path);
        return path;
    }

    /// <summary>The libtorch forward pass of an exported network type.</summary>
    public static Tensor Forward(Module network, Tensor sample, Tensor timestep, Tensor? classLabels) => network switch
    {
        UNet unet => unet.forward(sample, timestep, classLabels),
        MlpDenoiser mlp => mlp.forward(sample, timestep),
        _ => throw new ArgumentOutOfRangeException(nameof(network), network.GetType().Name, "not a test network"),
    };

    /// <summary>[C, H, W] of one sample and the class count (0: unconditional).</summary>
    public static (long[] SampleShape, int Classes) Signature(Module network) => network switch
    {
        UNet unet => ([unet.Config.InChannels, unet.Config.ImageSize, unet.Config.ImageSize], unet.Config.NumClasses ?? 0),
        MlpDenoiser mlp => ([mlp.Config.DataDimension, 1, 1], 0),
        _ => throw new ArgumentOutOfRangeException(nameof(network), network.GetType().Name, "not a test network"),
    };

    /// <summary>A DDPM config with a [0, 1] data range, as a trainer would pass it.</summary>
    public static SchedulerConfig Ddpm => new() { NumTrainTimesteps = 1000, BetaStart = 1e-4, BetaEnd = 0.02, DataMin = 0, DataMax = 1, ClipSample = true };
}
