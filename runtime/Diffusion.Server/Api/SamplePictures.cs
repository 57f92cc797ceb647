using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Imaging;
using Diffusion.Runtime.Models;

namespace Diffusion.Server.Api;

/// <summary>Samples as pictures, as <c>diffusion sample --out x.png</c> draws them: an image grid, or a scatter plot of 2-D points.</summary>
public static class SamplePictures
{
    /// <summary>True when samples of <paramref name="shape"/> are images (1 or 3 channels); false for 2-D points.</summary>
    public static bool AreImages(SampleShape shape) => shape.Size != 2 && shape.Channels is 1 or 3;

    /// <summary>True when samples of <paramref name="shape"/> can be drawn at all.</summary>
    public static bool CanDraw(SampleShape shape) => shape.Size == 2 || shape.Channels is 1 or 3;

    /// <summary>The PNG of <paramref name="count"/> samples: a grid of images, or one scatter plot of points.</summary>
    public static byte[] Png(ReadOnlySpan<float> data, int count, SampleShape shape, SchedulerConfig config, IReadOnlyDictionary<string, string>? text = null)
    {
        float min = (float)config.DataMin, max = (float)config.DataMax;
        int[] tensorShape = [count, shape.Channels, shape.Height, shape.Width];
        var picture = shape.Size == 2
            ? ScatterPlot.Render(data, tensorShape, new ScatterPlotOptions { Min = min, Max = max })
            : ImageGrid.Render(data, tensorShape, new ImageGridOptions { Min = min, Max = max, Scale = Math.Max(1, 64 / Math.Max(shape.Height, shape.Width)) });
        using var stream = new MemoryStream();
        PngWriter.Encode(stream, picture, text);
        return stream.ToArray();
    }

    /// <summary>One PNG per image sample.</summary>
    public static IEnumerable<byte[]> EachPng(float[] data, int count, SampleShape shape, SchedulerConfig config)
    {
        for (int i = 0; i < count; i++) yield return Png(data.AsSpan(i * shape.Size, shape.Size), 1, shape, config);
    }
}
