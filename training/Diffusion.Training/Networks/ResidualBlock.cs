using Diffusion.Torch;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Networks;

/// <summary>
/// DDPM's residual block (Ho et al. 2020, appendix B; Wide ResNet layout):
/// h = conv1(SiLU(norm1(x))) + time_proj(SiLU(temb)); h = conv2(dropout(SiLU(norm2(h)))); out = skip(x) + h,
/// where skip is a 1×1 convolution when the channel count changes and the identity otherwise.
/// </summary>
public sealed class ResidualBlock : Module
{
    /// <summary>Creates the block.</summary>
    public ResidualBlock(long inChannels, long outChannels, long timeEmbeddingDim, long groups, double dropout, Generator? generator = null)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        norm1 = RegisterModule("norm1", new GroupNorm(groups, inChannels));
        conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, padding: 1, generator: generator));
        time_proj = RegisterModule("time_proj", new Linear(timeEmbeddingDim, outChannels, generator: generator));
        norm2 = RegisterModule("norm2", new GroupNorm(groups, outChannels));
        this.dropout = RegisterModule("dropout", new Dropout(dropout));
        conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, padding: 1, generator: generator));
        if (inChannels != outChannels) skip = RegisterModule("skip", new Conv2d(inChannels, outChannels, 1, generator: generator));
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Normalisation of the input.</summary>
    public GroupNorm norm1 { get; }

    /// <summary>First 3×3 convolution.</summary>
    public Conv2d conv1 { get; }

    /// <summary>Projects the time embedding to one shift per channel.</summary>
    public Linear time_proj { get; }

    /// <summary>Normalisation before the second convolution.</summary>
    public GroupNorm norm2 { get; }

    /// <summary>Dropout before the second convolution.</summary>
    public Dropout dropout { get; }

    /// <summary>Second 3×3 convolution.</summary>
    public Conv2d conv2 { get; }

    /// <summary>1×1 convolution on the shortcut when channels change, else null.</summary>
    public Conv2d? skip { get; }

    /// <summary>x [N, in, H, W] and the time embedding [N, T] to [N, out, H, W].</summary>
    public Tensor forward(Tensor x, Tensor timeEmbedding)
    {
        using var scope = torch.NewDisposeScope();
        var h = conv1.forward(norm1.forward(x).silu());
        var shift = time_proj.forward(timeEmbedding.silu());
        h = h + shift.reshape(-1, OutChannels, 1, 1); // one shift per channel, broadcast over H and W
        h = conv2.forward(dropout.forward(norm2.forward(h).silu()));
        var shortcut = skip is null ? x : skip.forward(x);
        return (shortcut + h).MoveToOuterDisposeScope();
    }
}
