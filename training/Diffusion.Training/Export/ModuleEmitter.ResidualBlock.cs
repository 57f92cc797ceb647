using Diffusion.Training.Networks;

namespace Diffusion.Training.Export;

// The residual block takes two inputs, the feature map and the time embedding.
internal sealed partial class ModuleEmitter
{
    /// <summary>
    /// skip(x) + conv2(SiLU(norm2(conv1(SiLU(norm1(x))) + time_proj(SiLU(temb))))) as in <see cref="ResidualBlock"/>;
    /// the time shift [N, C] is broadcast over the positions as [N, C, 1, 1]; dropout is the identity at inference.
    /// </summary>
    public string ResidualBlock(ResidualBlock block, string x, string timeEmbedding)
    {
        var h = Conv2d(block.conv1, SiLU(GroupNorm(block.norm1, x)));
        var shift = Linear(block.time_proj, SiLU(timeEmbedding));
        h = Graph.Add(h, Unsqueeze(shift, 2, 3));
        h = Conv2d(block.conv2, Emit(block.dropout, SiLU(GroupNorm(block.norm2, h))));
        var shortcut = block.skip is null ? x : Conv2d(block.skip, x);
        return Graph.Add(shortcut, h);
    }
}
