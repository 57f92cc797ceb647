using Diffusion.Torch;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Networks;

/// <summary>The UNet's middle at the lowest resolution: residual block, optional self-attention, residual block.</summary>
public sealed class UNetMiddle : Module
{
    internal UNetMiddle(long channels, long timeEmbeddingDim, long groups, double dropout, SelfAttention2d? attention, Generator? generator)
    {
        res1 = RegisterModule("res1", new ResidualBlock(channels, channels, timeEmbeddingDim, groups, dropout, generator));
        if (attention is not null) attn = RegisterModule("attn", attention);
        res2 = RegisterModule("res2", new ResidualBlock(channels, channels, timeEmbeddingDim, groups, dropout, generator));
    }

    /// <summary>First residual block.</summary>
    public ResidualBlock res1 { get; }

    /// <summary>Self-attention between the blocks, or null.</summary>
    public SelfAttention2d? attn { get; }

    /// <summary>Second residual block.</summary>
    public ResidualBlock res2 { get; }

    /// <summary>Applies the three blocks.</summary>
    public Tensor forward(Tensor x, Tensor timeEmbedding)
    {
        using var scope = torch.NewDisposeScope();
        var h = res1.forward(x, timeEmbedding);
        if (attn is not null) h = attn.forward(h);
        return res2.forward(h, timeEmbedding).MoveToOuterDisposeScope();
    }
}
