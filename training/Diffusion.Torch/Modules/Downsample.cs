namespace Diffusion.Torch.Modules;

/// <summary>Halves the resolution with a 3×3 convolution of stride 2 and padding 1 (DDPM's Downsample with_conv).</summary>
public sealed class Downsample : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer keeping <paramref name="channels"/>.</summary>
    public Downsample(long channels, Generator? generator = null) =>
        conv = RegisterModule("conv", new Conv2d(channels, channels, 3, stride: 2, padding: 1, generator: generator));

    /// <summary>The strided convolution.</summary>
    public Conv2d conv { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => conv.forward(input);
}
