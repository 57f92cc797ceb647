using Diffusion.Runtime.Generation;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Export;

/// <summary>
/// The graph of a <see cref="UNet"/>, step for step as its forward pass: [N, C, H, W], trained at the configured
/// image size S x S and, being fully convolutional (attention runs over however many positions there are),
/// exported for any H and W that are multiples of 2 to the number of its downsamplings.
/// </summary>
internal sealed class UNetGraph : NetworkGraph
{
    private readonly UNet net;

    public UNetGraph(UNet net)
    {
        var config = net.Config;
        if (config.ResolvedOutChannels != config.InChannels)
        {
            throw new NotSupportedException($"this UNet predicts {config.ResolvedOutChannels} channels from {config.InChannels}: the runtime's model contract needs an output shaped like the sample (OutChannels = InChannels)");
        }
        this.net = net;
    }

    public override string TypeName => nameof(UNet);

    public override string ConfigJson => net.Config.ToJson();

    public override SampleShape SampleShape => new(net.Config.InChannels, net.Config.ImageSize, net.Config.ImageSize);

    public override int? NumClasses => net.Config.NumClasses;

    public override int? SizeMultiple => 1 << net.down.Count(level => level.Resample is not null);

    public override string Emit(ModuleEmitter g, string sample, string timestep, string? classLabels)
    {
        var temb = g.TimeEmbedding(net.time_embedding, timestep);
        if (net.class_embedding is { } classes) temb = g.Graph.Add(temb, g.Embedding(classes, classLabels!));

        var h = g.Conv2d(net.conv_in, sample);
        var skips = new Stack<string>();
        skips.Push(h);
        foreach (var level in net.down)
        {
            for (int j = 0; j < level.res.Count; j++)
            {
                h = Block(g, level, j, h, temb);
                skips.Push(h);
            }
            if (level.Resample is not null)
            {
                h = g.Emit(level.Resample, h);
                skips.Push(h);
            }
        }

        h = g.ResidualBlock(net.mid.res1, h, temb);
        if (net.mid.attn is not null) h = g.SelfAttention(net.mid.attn, h);
        h = g.ResidualBlock(net.mid.res2, h, temb);

        foreach (var level in net.up)
        {
            for (int j = 0; j < level.res.Count; j++) h = Block(g, level, j, g.Concat(1, h, skips.Pop()), temb);
            if (level.Resample is not null) h = g.Emit(level.Resample, h);
        }

        return g.Conv2d(net.conv_out, g.SiLU(g.GroupNorm(net.norm_out, h)));
    }

    /// <summary>Residual block <paramref name="j"/> of <paramref name="level"/>, followed by its attention when the level has one.</summary>
    private static string Block(ModuleEmitter g, UNetLevel level, int j, string x, string temb)
    {
        var h = g.ResidualBlock(level.res[j], x, temb);
        return level.attn.Count == 0 ? h : g.SelfAttention(level.attn[j], h);
    }
}
