using System.Globalization;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;

namespace Diffusion.Runtime.Imaging;

/// <summary>
/// Pictures of generated samples: image samples (1 or 3 channels) as a grid, 2-D points as a
/// scatter plot, the data range taken from the model's config; encoded as PNG with the settings
/// that made them in tEXt chunks.
/// </summary>
public static class SamplePictures
{
    /// <summary>True when samples of <paramref name="shape"/> are images (1 or 3 channels); false for 2-D points and anything else.</summary>
    public static bool AreImages(SampleShape shape) => shape.Size != 2 && shape.Channels is 1 or 3;

    /// <summary>True when samples of <paramref name="shape"/> can be drawn at all: images or 2-D points.</summary>
    public static bool CanDraw(SampleShape shape) => shape.Size == 2 || shape.Channels is 1 or 3;

    /// <summary>Renders all samples: a grid of images, or a scatter plot of 2-D points.</summary>
    /// <exception cref="ArgumentException">The samples are neither images (1 or 3 channels) nor 2-D points.</exception>
    public static RasterImage Render(GeneratedSamples samples, SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(config);
        return Render(samples.Data, samples.TensorShape, samples.Shape, config);
    }

    /// <summary>Renders sample <paramref name="index"/> alone (an image, or a one-point plot).</summary>
    public static RasterImage RenderOne(GeneratedSamples samples, int index, SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, samples.Count);
        int size = samples.Shape.Size;
        var shape = samples.Shape;
        return Render(samples.Data.AsSpan(index * size, size), [1, shape.Channels, shape.Height, shape.Width], shape, config);
    }

    /// <summary>Renders a batch given as [N, C, H, W] values (e.g. a streamed x0 preview).</summary>
    public static RasterImage Render(ReadOnlySpan<float> data, ReadOnlySpan<int> tensorShape, SampleShape shape, SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        float min = (float)config.DataMin, max = (float)config.DataMax;
        if (shape.Size == 2)
            return ScatterPlot.Render(data, tensorShape, new ScatterPlotOptions { Min = min, Max = max });
        if (AreImages(shape))
            return ImageGrid.Render(data, tensorShape,
                new ImageGridOptions { Min = min, Max = max, Scale = Math.Max(1, 64 / Math.Max(shape.Height, shape.Width)) });
        throw new ArgumentException($"samples of shape {shape} are neither images (1 or 3 channels) nor 2-D points: write them as .npy instead.", nameof(shape));
    }

    /// <summary>The PNG bytes of <paramref name="count"/> samples given as [N, C, H, W] values (all samples, or a streamed x0 preview).</summary>
    public static byte[] Png(ReadOnlySpan<float> data, int count, SampleShape shape, SchedulerConfig config, IReadOnlyDictionary<string, string>? text = null)
    {
        using var stream = new MemoryStream();
        PngWriter.Encode(stream, Render(data, [count, shape.Channels, shape.Height, shape.Width], shape, config), text);
        return stream.ToArray();
    }

    /// <summary>One PNG per sample.</summary>
    public static IEnumerable<byte[]> EachPng(float[] data, int count, SampleShape shape, SchedulerConfig config)
    {
        for (int i = 0; i < count; i++) yield return Png(data.AsSpan(i * shape.Size, shape.Size), 1, shape, config);
    }

    /// <summary>Encodes all samples as one PNG into <paramref name="output"/>, with <paramref name="text"/> as tEXt chunks.</summary>
    public static void WritePng(Stream output, GeneratedSamples samples, SchedulerConfig config, IReadOnlyDictionary<string, string>? text = null) =>
        PngWriter.Encode(output, Render(samples, config), text);

    /// <summary>Writes all samples as one PNG file, atomically, with <paramref name="text"/> as tEXt chunks.</summary>
    public static void WritePng(string path, GeneratedSamples samples, SchedulerConfig config, IReadOnlyDictionary<string, string>? text = null) =>
        PngWriter.Write(path, Render(samples, config), text);

    /// <summary>
    /// The tEXt chunks that record how samples were made: <c>Software</c>, <c>Model</c>,
    /// <c>Sampler</c>, <c>Steps</c>, <c>Seed</c>, <c>Count</c>, and <c>Class</c> / <c>Guidance</c> when set.
    /// </summary>
    /// <param name="model">The model's name, as the reader should see it.</param>
    /// <param name="samples">Generated samples; their <see cref="GeneratedSamples.Options"/> say how.</param>
    public static IReadOnlyDictionary<string, string> Describe(string model, GeneratedSamples samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var options = samples.Options ?? throw new ArgumentException("the samples do not carry the options that made them.", nameof(samples));
        return Describe(model, options, samples.Sampler);
    }

    /// <summary>The tEXt chunks for samples made by <paramref name="sampler"/> with <paramref name="options"/>.</summary>
    public static IReadOnlyDictionary<string, string> Describe(string model, GenerationOptions options, string sampler)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = new Dictionary<string, string>
        {
            ["Software"] = "Diffusion.Runtime",
            ["Model"] = model,
            ["Sampler"] = sampler,
            ["Steps"] = options.Steps.ToString(CultureInfo.InvariantCulture),
            ["Seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["Count"] = options.Count.ToString(CultureInfo.InvariantCulture),
        };
        if (options.ClassLabels is { } labels) text["Class"] = string.Join(",", labels);
        if (options.GuidanceScale != 1) text["Guidance"] = options.GuidanceScale.ToString(CultureInfo.InvariantCulture);
        return text;
    }
}
