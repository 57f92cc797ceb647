using F = Diffusion.Torch.torch.nn.functional;

namespace Diffusion.Torch.Modules;

/// <summary>Nearest-neighbour ×2 upsampling, optionally followed by a 3×3 convolution (DDPM's Upsample with_conv).</summary>
public sealed class Upsample : Module<Tensor, Tensor>
{
    /// <summary>Plain nearest ×2 (no parameters).</summary>
    public Upsample() { }

    /// <summary>Nearest ×2 then a 3×3 convolution keeping <paramref name="channels"/>.</summary>
    public Upsample(long channels, Generator? generator = null) =>
        conv = RegisterModule("conv", new Conv2d(channels, channels, 3, padding: 1, generator: generator));

    /// <summary>The convolution after upsampling, or null.</summary>
    public Conv2d? conv { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (conv is null) return F.interpolate(input, 2);
        using var upsampled = F.interpolate(input, 2);
        return conv.forward(upsampled);
    }
}
