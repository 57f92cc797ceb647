using System.Globalization;
using Diffusion.Runtime.Generation;

namespace Diffusion.Runtime.Models;

/// <summary>
/// The sample shape a loaded model generates: its own (the <c>sample</c> input's dims, else the config's
/// <c>in_channels</c> and <c>sample_size</c>), or the height and width asked for in
/// <see cref="ModelLoadOptions"/> when the input's spatial dims are dynamic.
/// </summary>
internal static class SampleSize
{
    /// <summary>How the two settings are named in errors: <see cref="ModelLoadOptions"/>'s members, or a method's parameters.</summary>
    public sealed record Names(string Height, string Width)
    {
        public static readonly Names LoadOptions = new(nameof(ModelLoadOptions) + "." + nameof(ModelLoadOptions.Height), nameof(ModelLoadOptions) + "." + nameof(ModelLoadOptions.Width));
    }

    /// <summary>The height-and-width multiple of a model whose input has dynamic spatial dims; null when they are fixed.</summary>
    public static int? Multiple(TensorSpec input, IReadOnlyDictionary<string, string> metadata, string modelPath) =>
        input.Dimensions[2] > 0 || input.Dimensions[3] > 0 ? null : Multiple(metadata, modelPath);

    public static SampleShape Resolve(TensorSpec input, SchedulerConfig config, IReadOnlyDictionary<string, string> metadata,
        ModelLoadOptions options, string modelPath, Names? names = null)
    {
        names ??= Names.LoadOptions;
        var d = input.Dimensions;
        int channels = d[1] > 0 ? d[1] : config.InChannels ?? 0;
        int height = d[2] > 0 ? d[2] : config.SampleSize ?? 0;
        int width = d[3] > 0 ? d[3] : config.SampleSize ?? 0;
        if (channels <= 0 || (options.Height is null && height <= 0) || (options.Width is null && width <= 0))
            throw new DiffusionModelException($"input {input} has dynamic channel or spatial dims: add in_channels and sample_size to the scheduler config.");
        if (options.Height is null && options.Width is null) return new SampleShape(channels, height, width);
        string asked = options.Height is { } askedHeight && askedHeight != height ? names.Height : options.Width is not null ? names.Width : names.Height;

        if (d[2] > 0 || d[3] > 0)
        {
            throw new DiffusionRequestException(
                $"{modelPath} generates {height}x{width} samples only (its input {input} has a fixed height and width): " +
                $"leave {names.Height} and {names.Width} unset, or export the network with dynamic height and width.", asked);
        }
        int multiple = Multiple(metadata, modelPath);
        int h = options.Height ?? height, w = options.Width ?? width;
        foreach (var (name, value) in new[] { (names.Height, h), (names.Width, w) })
        {
            if (value % multiple != 0)
            {
                int below = value / multiple * multiple, above = below + multiple;
                throw new DiffusionRequestException(
                    $"{name} {value} is not a multiple of {multiple}, which this network needs (its {OnnxDiffusionModel.SampleSizeMultipleMetadataKey}): " +
                    $"use {(below > 0 ? $"{below} or " : "")}{above}.", name);
            }
        }
        long values = (long)channels * h * w;
        if (values > options.MaxSampleValues)
        {
            throw new DiffusionRequestException(
                $"a {channels}x{h}x{w} sample holds {values} values, more than ModelLoadOptions.MaxSampleValues ({options.MaxSampleValues}): ask for a smaller size or raise the limit.",
                asked);
        }
        return new SampleShape(channels, h, w);
    }

    private static int Multiple(IReadOnlyDictionary<string, string> metadata, string modelPath)
    {
        if (!metadata.TryGetValue(OnnxDiffusionModel.SampleSizeMultipleMetadataKey, out var text)) return 1;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int multiple) || multiple < 1 || multiple > 1 << 16)
            throw new DiffusionModelException($"{modelPath} has metadata {OnnxDiffusionModel.SampleSizeMultipleMetadataKey} '{text}', which is not a whole number in 1 to 65536: re-export the model.");
        return multiple;
    }
}
