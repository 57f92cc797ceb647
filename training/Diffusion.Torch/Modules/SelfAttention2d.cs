using F = Diffusion.Torch.torch.nn.functional;

namespace Diffusion.Torch.Modules;

/// <summary>
/// Multi-head self-attention over the H·W positions of a feature map, with a residual connection
/// (the attention block of DDPM, Ho et al. 2020): x + proj(attention(norm(x))). Queries, keys and values
/// are linear maps of the normalised channels; attention is softmax(QKᵀ/√d)V per head (Vaswani et al. 2017).
/// </summary>
public sealed class SelfAttention2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the block; <paramref name="channels"/> must be divisible by <paramref name="heads"/> and <paramref name="groups"/>.</summary>
    public SelfAttention2d(long channels, long heads = 1, long groups = 32, Generator? generator = null)
    {
        if (heads < 1 || channels % heads != 0)
        {
            throw new ArgumentException($"SelfAttention2d: {channels} channels cannot be split into {heads} heads; choose a head count that divides the channel count", nameof(heads));
        }
        Channels = channels;
        Heads = heads;
        norm = RegisterModule("norm", new GroupNorm(groups, channels));
        query = RegisterModule("query", new Linear(channels, channels, generator: generator));
        key = RegisterModule("key", new Linear(channels, channels, generator: generator));
        value = RegisterModule("value", new Linear(channels, channels, generator: generator));
        proj_out = RegisterModule("proj_out", new Linear(channels, channels, generator: generator));
    }

    /// <summary>Feature channels.</summary>
    public long Channels { get; }

    /// <summary>Attention heads.</summary>
    public long Heads { get; }

    /// <summary>Normalisation before attention.</summary>
    public GroupNorm norm { get; }

    /// <summary>Query projection.</summary>
    public Linear query { get; }

    /// <summary>Key projection.</summary>
    public Linear key { get; }

    /// <summary>Value projection.</summary>
    public Linear value { get; }

    /// <summary>Output projection.</summary>
    public Linear proj_out { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var s = input.shape;
        if (s.Length != 4 || s[1] != Channels)
        {
            throw new ArgumentException($"SelfAttention2d expects [N, {Channels}, H, W], got [{string.Join(", ", s)}]", nameof(input));
        }
        long n = s[0], c = s[1], tokens = s[2] * s[3], d = c / Heads;
        using var scope = torch.NewDisposeScope();
        // [N, C, H, W] -> [N, HW, C]: one token per position.
        var x = norm.forward(input).reshape(n, c, tokens).transpose(1, 2);
        // [N, HW, C] -> [N, heads, HW, d]
        Tensor SplitHeads(Tensor t) => t.reshape(n, tokens, Heads, d).transpose(1, 2);
        var attended = F.scaled_dot_product_attention(SplitHeads(query.forward(x)), SplitHeads(key.forward(x)), SplitHeads(value.forward(x)));
        var merged = attended.transpose(1, 2).reshape(n, tokens, c);
        var output = proj_out.forward(merged).transpose(1, 2).reshape(n, c, s[2], s[3]);
        return (input + output).MoveToOuterDisposeScope();
    }
}
