using System.Text.Json;

namespace Diffusion.Training.Networks;

/// <summary>
/// The shape of a DDPM UNet (Ho et al. 2020). Level i works at resolution ImageSize / 2^i with
/// BaseChannels · ChannelMultipliers[i] channels; serialisable to JSON (<see cref="ToJson"/>).
/// </summary>
public sealed record UNetConfig
{
    /// <summary>Channels of the images (1 for MNIST, 3 for RGB).</summary>
    public int InChannels { get; init; } = 1;

    /// <summary>Channels of the prediction; null means the same as <see cref="InChannels"/>.</summary>
    public int? OutChannels { get; init; }

    /// <summary>Training image height and width (square); must be divisible by 2^(levels−1).</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Channels of the first level.</summary>
    public int BaseChannels { get; init; } = 32;

    /// <summary>Channel multiplier per level (its length is the number of levels), e.g. [1, 2, 2] for 32/64/64.</summary>
    public int[] ChannelMultipliers { get; init; } = [1, 2, 2];

    /// <summary>Residual blocks per level on the way down (the way up has one more per level).</summary>
    public int ResBlocksPerLevel { get; init; } = 2;

    /// <summary>Resolutions (feature-map sizes) whose blocks are followed by self-attention.</summary>
    public int[] AttentionResolutions { get; init; } = [16];

    /// <summary>Heads of every self-attention block.</summary>
    public int AttentionHeads { get; init; } = 1;

    /// <summary>Whether the middle of the network has a self-attention block between its two residual blocks.</summary>
    public bool MiddleAttention { get; init; } = true;

    /// <summary>Groups of every GroupNorm (must divide every level's channel count).</summary>
    public int NormGroups { get; init; } = 32;

    /// <summary>Dropout probability inside the residual blocks (0 disables it).</summary>
    public double Dropout { get; init; }

    /// <summary>Number of class labels, or null for an unconditional model. The embedding table has
    /// NumClasses + 1 rows: the last (label NumClasses) is the null label used for classifier-free guidance.</summary>
    public int? NumClasses { get; init; }

    /// <summary>Width of the time (and class) embedding; null means 4 · BaseChannels as in DDPM.</summary>
    public int? TimeEmbeddingDim { get; init; }

    /// <summary>The number of resolution levels.</summary>
    public int Levels => ChannelMultipliers.Length;

    /// <summary>The prediction's channel count.</summary>
    public int ResolvedOutChannels => OutChannels ?? InChannels;

    /// <summary>The time-embedding width actually used.</summary>
    public int ResolvedTimeEmbeddingDim => TimeEmbeddingDim ?? 4 * BaseChannels;

    /// <summary>The factor image sizes must be divisible by: 2^(levels−1).</summary>
    public int SizeDivisor => 1 << (Levels - 1);

    /// <summary>The resolution of level <paramref name="level"/> for the configured image size.</summary>
    public int ResolutionOf(int level) => ImageSize >> level;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistency and how to fix it.</summary>
    public void Validate()
    {
        if (InChannels < 1 || ResolvedOutChannels < 1) throw Invalid($"channel counts must be positive, got in={InChannels} out={ResolvedOutChannels}");
        if (BaseChannels < 1) throw Invalid($"BaseChannels must be positive, got {BaseChannels}");
        if (ChannelMultipliers.Length == 0 || ChannelMultipliers.Any(m => m < 1)) throw Invalid("ChannelMultipliers needs at least one positive entry per level, e.g. [1, 2, 2]");
        if (ResBlocksPerLevel < 1) throw Invalid($"ResBlocksPerLevel must be at least 1, got {ResBlocksPerLevel}");
        if (ImageSize < 1 || ImageSize % SizeDivisor != 0)
        {
            throw Invalid($"image size {ImageSize} is not divisible by 2^(levels-1) = {SizeDivisor} for {Levels} levels: pad the images to a multiple of {SizeDivisor} or use fewer levels");
        }
        foreach (int m in ChannelMultipliers)
        {
            if (BaseChannels * m % NormGroups != 0) throw Invalid($"NormGroups {NormGroups} does not divide {BaseChannels * m} channels: choose a group count that divides every level's channel count");
            if (BaseChannels * m % AttentionHeads != 0) throw Invalid($"AttentionHeads {AttentionHeads} does not divide {BaseChannels * m} channels");
        }
        var resolutions = Enumerable.Range(0, Levels).Select(ResolutionOf).ToArray();
        foreach (int r in AttentionResolutions)
        {
            if (!resolutions.Contains(r)) throw Invalid($"attention resolution {r} is not one of the level resolutions [{string.Join(", ", resolutions)}]");
        }
        if (Dropout is < 0 or >= 1) throw Invalid($"Dropout must be in [0, 1), got {Dropout}");
        if (NumClasses is < 1) throw Invalid($"NumClasses must be positive (or null for an unconditional model), got {NumClasses}");
        if (ResolvedTimeEmbeddingDim < 2 || BaseChannels % 2 != 0) throw Invalid("BaseChannels must be even (it is the sinusoidal embedding width)");
    }

    private static ArgumentException Invalid(string message) => new($"UNet config: {message}");

    /// <summary>The configuration as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, NetworkJson.Options);

    /// <summary>Reads a configuration written by <see cref="ToJson"/> (missing keys keep their defaults).</summary>
    public static UNetConfig FromJson(string json) => NetworkJson.Read<UNetConfig>(json);

    /// <summary>Value equality, including the array members.</summary>
    public bool Equals(UNetConfig? other) =>
        other is not null && InChannels == other.InChannels && OutChannels == other.OutChannels && ImageSize == other.ImageSize
        && BaseChannels == other.BaseChannels && ChannelMultipliers.SequenceEqual(other.ChannelMultipliers)
        && ResBlocksPerLevel == other.ResBlocksPerLevel && AttentionResolutions.SequenceEqual(other.AttentionResolutions)
        && AttentionHeads == other.AttentionHeads && MiddleAttention == other.MiddleAttention && NormGroups == other.NormGroups
        && Dropout.Equals(other.Dropout) && NumClasses == other.NumClasses && TimeEmbeddingDim == other.TimeEmbeddingDim;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(InChannels, ImageSize, BaseChannels, ChannelMultipliers.Length, ResBlocksPerLevel, NumClasses);
}
