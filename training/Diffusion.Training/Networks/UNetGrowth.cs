using System.Globalization;
using System.Text.RegularExpressions;
using Diffusion.Training.Data.Safetensors;

namespace Diffusion.Training.Networks;

/// <summary>
/// Grows a trained UNet into a deeper one that computes the same function, so a model that has stopped improving can
/// go on training with more capacity instead of starting over (function-preserving growth: Chen et al. 2016,
/// "Net2Net", section 3.2). Two things can grow: the residual blocks per level, and the resolutions with
/// self-attention. Every added block or attention layer starts as an identity: the last layer of its residual
/// branch (a block's <c>conv2</c>, an attention's <c>proj_out</c>) is zero, so it adds nothing to the stream it sits
/// on. An added block of the up path also receives a skip connection, concatenated after the stream; its 1x1
/// shortcut starts as [I 0], which passes the stream and drops the skip. The added blocks' other layers keep their
/// fresh random values, so the zeroed layers receive gradients from the first step.
/// </summary>
/// <remarks>
/// Where the blocks go. A level of the down path with R blocks pushes R activations on the skip stack; its up level
/// has R + 1 blocks, each popping one. Grown to R' blocks, the added down blocks follow the old ones (identities, so
/// the R' - R extra activations they push equal the last old block's), and the added up blocks are inserted after the
/// first: the first still pops an activation equal to the one it popped before, the added ones pop the extras and
/// drop them, and the old blocks after them pop what they popped before.
/// </remarks>
public static partial class UNetGrowth
{
    /// <summary>
    /// Why <paramref name="source"/> cannot grow into <paramref name="target"/>, or null when it can (or they are the same):
    /// everything but the blocks per level (which may only grow), the attention resolutions (which may only be
    /// added to) and the dropout must be equal.
    /// </summary>
    public static string? WhyNot(UNetConfig source, UNetConfig target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source with { ResBlocksPerLevel = target.ResBlocksPerLevel, AttentionResolutions = target.AttentionResolutions, Dropout = target.Dropout } != target)
            return "only --res-blocks and --attention can grow; every other setting (--channels, --channel-mult, --norm-groups, ...) must be the model's";
        if (target.ResBlocksPerLevel < source.ResBlocksPerLevel)
            return $"the model has {source.ResBlocksPerLevel} residual blocks per level and the run {target.ResBlocksPerLevel}: blocks can be added, not removed";
        int[] dropped = [.. source.AttentionResolutions.Where(r => !target.AttentionResolutions.Contains(r))];
        if (dropped.Length > 0)
            return $"the model has self-attention at resolution {dropped[0]} and the run does not: attention can be added, not removed";
        return null;
    }

    /// <summary>True when <paramref name="target"/> is <paramref name="source"/> with more blocks or attention.</summary>
    public static bool Grows(UNetConfig source, UNetConfig target) => WhyNot(source, target) is null && source != target;

    /// <summary>
    /// The parameters of the grown network: the trained <paramref name="weights"/> where a layer existed, identities
    /// where one was added, built on <paramref name="fresh"/> (the grown network's own initial parameters, by name).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> is not a growth of <paramref name="source"/>, or a tensor
    /// of <paramref name="weights"/> is missing.</exception>
    public static Dictionary<string, SafetensorsTensor> Grow(UNetConfig source, IReadOnlyDictionary<string, SafetensorsTensor> weights,
        UNetConfig target, IReadOnlyDictionary<string, SafetensorsTensor> fresh)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(fresh);
        if (WhyNot(source, target) is { } why) throw new ArgumentException($"the UNet cannot grow: {why}", nameof(target));
        int added = target.ResBlocksPerLevel - source.ResBlocksPerLevel;
        var grown = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        foreach (var (name, value) in fresh)
        {
            grown[name] = TrainedName(name) switch
            {
                { } old => weights.TryGetValue(old, out var trained) ? trained
                    : throw new ArgumentException($"the trained weights lack '{old}', which '{name}' of the grown network starts from", nameof(weights)),
                null => Identity(name, value),
            };
        }
        return grown;

        // The trained tensor a parameter of the grown network takes, or null when its layer was added.
        string? TrainedName(string name)
        {
            var match = LevelLayer().Match(name);
            if (!match.Success) return name;
            bool down = match.Groups["path"].Value == "down";
            int index = Parse(match.Groups["index"].Value), j = Parse(match.Groups["j"].Value);
            int level = down ? index : source.Levels - 1 - index;
            bool hadAttention = source.AttentionResolutions.Contains(source.ResolutionOf(level));
            if (match.Groups["kind"].Value == "attn" && !hadAttention) return null;
            int? old = down
                ? j < source.ResBlocksPerLevel ? j : null
                : j == 0 ? 0 : j > added ? j - added : null;
            return old is int o ? $"{match.Groups["path"].Value}.{index}.{match.Groups["kind"].Value}.{o}.{match.Groups["rest"].Value}" : null;
        }
    }

    /// <summary>An added layer's starting value: zero for the last layer of a residual branch, [I 0] for a shortcut.</summary>
    private static SafetensorsTensor Identity(string name, SafetensorsTensor fresh)
    {
        if (name.EndsWith(".conv2.weight", StringComparison.Ordinal) || name.EndsWith(".conv2.bias", StringComparison.Ordinal)
            || name.EndsWith(".proj_out.weight", StringComparison.Ordinal) || name.EndsWith(".proj_out.bias", StringComparison.Ordinal)
            || name.EndsWith(".skip.bias", StringComparison.Ordinal))
        {
            return SafetensorsTensor.FromFloats(new float[fresh.ElementCount], fresh.Shape);
        }
        if (name.EndsWith(".skip.weight", StringComparison.Ordinal))
        {
            // [out, in, 1, 1] over the input cat([stream, skip], 1): output channel o copies input channel o.
            long[] shape = fresh.Shape;
            long outputs = shape[0], inputs = shape[1];
            var values = new float[fresh.ElementCount];
            for (long o = 0; o < outputs; o++) values[o * inputs + o] = 1f;
            return SafetensorsTensor.FromFloats(values, shape);
        }
        return fresh;
    }

    private static int Parse(string digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<path>down|up)\.(?<index>\d+)\.(?<kind>res|attn)\.(?<j>\d+)\.(?<rest>.+)$")]
    private static partial Regex LevelLayer();
}
