using Diffusion.Torch;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Networks;

/// <summary>
/// The DDPM noise-prediction UNet (Ho et al. 2020, appendix B; PixelCNN++ backbone):
/// conv_in, then per level <see cref="UNetConfig.ResBlocksPerLevel"/> residual blocks (+ attention at the
/// configured resolutions) and a strided-conv downsample; a middle of residual–attention–residual; per level
/// on the way up one more residual block, each taking the matching skip activation concatenated on the
/// channel axis, and a nearest ×2 upsample + conv; finally GroupNorm–SiLU–conv_out.
/// The time embedding (sinusoidal of the raw timestep → MLP) plus an optional class embedding is added in
/// every residual block. Parameter names: <c>time_embedding.*</c>, <c>class_embedding.weight</c>, <c>conv_in.*</c>,
/// <c>down.{level}.res.{j}.*</c>, <c>down.{level}.attn.{j}.*</c>, <c>down.{level}.downsample.conv.*</c>, <c>mid.*</c>,
/// <c>up.{k}.*</c> (k = 0 is the lowest resolution, in execution order), <c>norm_out.*</c>, <c>conv_out.*</c>.
/// </summary>
public sealed class UNet : Module
{
    /// <summary>Builds the network; <paramref name="generator"/> (or the global generator) draws the initial weights.</summary>
    public UNet(UNetConfig config, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        long ch = config.BaseChannels, temb = config.ResolvedTimeEmbeddingDim, groups = config.NormGroups;
        var g = generator;

        time_embedding = RegisterModule("time_embedding", new TimeEmbedding(ch, temb, g));
        if (config.NumClasses is int classes) class_embedding = RegisterModule("class_embedding", new Embedding(classes + 1, temb, g));
        conv_in = RegisterModule("conv_in", new Conv2d(config.InChannels, ch, 3, padding: 1, generator: g));

        SelfAttention2d Attention(long channels) => new(channels, config.AttentionHeads, groups, g);
        bool HasAttention(int level) => config.AttentionResolutions.Contains(config.ResolutionOf(level));

        // Down: remember the channel count of every activation pushed on the skip stack.
        var skips = new Stack<long>();
        skips.Push(ch);
        long current = ch;
        down = RegisterModule("down", new ModuleList<UNetLevel>());
        for (int level = 0; level < config.Levels; level++)
        {
            long width = ch * config.ChannelMultipliers[level];
            var blocks = new List<ResidualBlock>();
            var attention = new List<SelfAttention2d>();
            for (int j = 0; j < config.ResBlocksPerLevel; j++)
            {
                blocks.Add(new ResidualBlock(current, width, temb, groups, config.Dropout, g));
                if (HasAttention(level)) attention.Add(Attention(width));
                current = width;
                skips.Push(current);
            }
            Downsample? downsample = null;
            if (level < config.Levels - 1)
            {
                downsample = new Downsample(current, g);
                skips.Push(current);
            }
            down.Add(new UNetLevel(blocks, attention, downsample, "downsample"));
        }

        mid = RegisterModule("mid", new UNetMiddle(current, temb, groups, config.Dropout, config.MiddleAttention ? Attention(current) : null, g));

        up = RegisterModule("up", new ModuleList<UNetLevel>());
        for (int level = config.Levels - 1; level >= 0; level--)
        {
            long width = ch * config.ChannelMultipliers[level];
            var blocks = new List<ResidualBlock>();
            var attention = new List<SelfAttention2d>();
            for (int j = 0; j <= config.ResBlocksPerLevel; j++)
            {
                blocks.Add(new ResidualBlock(current + skips.Pop(), width, temb, groups, config.Dropout, g));
                if (HasAttention(level)) attention.Add(Attention(width));
                current = width;
            }
            up.Add(new UNetLevel(blocks, attention, level > 0 ? new Upsample(current, g) : null, "upsample"));
        }

        norm_out = RegisterModule("norm_out", new GroupNorm(groups, current));
        conv_out = RegisterModule("conv_out", new Conv2d(current, config.ResolvedOutChannels, 3, padding: 1, generator: g));
    }

    /// <summary>The configuration the network was built from.</summary>
    public UNetConfig Config { get; }

    /// <summary>Sinusoidal timestep embedding and its MLP.</summary>
    public TimeEmbedding time_embedding { get; }

    /// <summary>Class embedding with NumClasses + 1 rows (the last is the null label), or null.</summary>
    public Embedding? class_embedding { get; }

    /// <summary>The first convolution.</summary>
    public Conv2d conv_in { get; }

    /// <summary>The levels on the way down (highest resolution first).</summary>
    public ModuleList<UNetLevel> down { get; }

    /// <summary>The middle blocks at the lowest resolution.</summary>
    public UNetMiddle mid { get; }

    /// <summary>The levels on the way up (lowest resolution first).</summary>
    public ModuleList<UNetLevel> up { get; }

    /// <summary>Normalisation before the output convolution.</summary>
    public GroupNorm norm_out { get; }

    /// <summary>The output convolution.</summary>
    public Conv2d conv_out { get; }

    /// <summary>The label that means "no class" (classifier-free guidance), or null for an unconditional model.</summary>
    public long? NullLabel => Config.NumClasses;

    /// <summary>
    /// Predicts the noise for <paramref name="sample"/> [N, C, H, W] at <paramref name="timestep"/> [N] (or [1], broadcast;
    /// raw real values, e.g. the training index). <paramref name="classLabels"/> [N] int64 in [0, NumClasses]
    /// (NumClasses = null label) is required by nothing: when omitted a class-conditional model uses the null label.
    /// Returns a tensor shaped like <paramref name="sample"/>.
    /// </summary>
    public Tensor forward(Tensor sample, Tensor timestep, Tensor? classLabels = null)
    {
        var shape = CheckInput(sample);
        long n = shape[0];
        using var scope = torch.NewDisposeScope();
        var t = Timesteps(timestep, n);
        var temb = time_embedding.forward(t);
        if (class_embedding is not null)
        {
            var labels = classLabels ?? torch.full([n], NullLabel!.Value, ScalarType.Int64);
            temb = temb + class_embedding.forward(labels);
        }
        else if (classLabels is not null)
        {
            throw new ArgumentException("class labels were given to an unconditional UNet: set NumClasses in the config to train a class-conditional model", nameof(classLabels));
        }

        var h = conv_in.forward(sample);
        var skips = new Stack<Tensor>();
        skips.Push(h);
        foreach (var level in down)
        {
            for (int j = 0; j < level.res.Count; j++)
            {
                h = level.Block(j, h, temb);
                skips.Push(h);
            }
            if (level.Resample is not null)
            {
                h = level.Resample.forward(h);
                skips.Push(h);
            }
        }

        h = mid.forward(h, temb);

        foreach (var level in up)
        {
            for (int j = 0; j < level.res.Count; j++) h = level.Block(j, torch.cat([h, skips.Pop()], 1), temb);
            if (level.Resample is not null) h = level.Resample.forward(h);
        }

        return conv_out.forward(norm_out.forward(h).silu()).MoveToOuterDisposeScope();
    }

    private long[] CheckInput(Tensor sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var shape = sample.shape;
        if (shape.Length != 4 || shape[1] != Config.InChannels)
        {
            throw new ArgumentException($"UNet expects a sample shaped [N, {Config.InChannels}, H, W], got [{string.Join(", ", shape)}]", nameof(sample));
        }
        int d = Config.SizeDivisor;
        if (shape[2] % d != 0 || shape[3] % d != 0)
        {
            throw new ArgumentException($"image size {shape[2]}x{shape[3]} is not divisible by 2^(levels-1) = {d}: pad the images to a multiple of {d}", nameof(sample));
        }
        return shape;
    }

    private static Tensor Timesteps(Tensor timestep, long n)
    {
        ArgumentNullException.ThrowIfNull(timestep);
        var shape = timestep.shape;
        if (shape.Length != 1 || (shape[0] != n && shape[0] != 1))
        {
            throw new ArgumentException($"timestep must be shaped [{n}] or [1], got [{string.Join(", ", shape)}]", nameof(timestep));
        }
        var t = timestep.dtype is ScalarType.Float32 or ScalarType.Float64 ? timestep : timestep.to(ScalarType.Float32);
        return shape[0] == n ? t : t.expand(n);
    }
}
