using Diffusion.Torch;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Networks;

/// <summary>
/// One resolution level of the UNet: residual blocks (named <c>res.j</c>), each followed by self-attention
/// (<c>attn.j</c>) when the level's resolution is an attention resolution, then an optional resampler
/// (<c>downsample</c> on the way down, <c>upsample</c> on the way up).
/// </summary>
public sealed class UNetLevel : Module
{
    internal UNetLevel(IReadOnlyList<ResidualBlock> blocks, IReadOnlyList<SelfAttention2d>? attention, Module<Tensor, Tensor>? resample, string resampleName)
    {
        res = RegisterModule("res", new ModuleList<ResidualBlock>(blocks));
        attn = RegisterModule("attn", new ModuleList<SelfAttention2d>(attention ?? []));
        if (resample is not null) Resample = RegisterModule(resampleName, resample);
    }

    /// <summary>The residual blocks.</summary>
    public ModuleList<ResidualBlock> res { get; }

    /// <summary>Self-attention after each residual block (empty when the level has none).</summary>
    public ModuleList<SelfAttention2d> attn { get; }

    /// <summary>The <see cref="Downsample"/> or <see cref="Upsample"/> at the end of the level, or null.</summary>
    public Module<Tensor, Tensor>? Resample { get; }

    /// <summary>Residual block <paramref name="j"/> followed by its attention, if any.</summary>
    internal Tensor Block(int j, Tensor x, Tensor timeEmbedding)
    {
        var h = res[j].forward(x, timeEmbedding);
        if (attn.Count == 0) return h;
        using (h) return attn[j].forward(h);
    }
}
