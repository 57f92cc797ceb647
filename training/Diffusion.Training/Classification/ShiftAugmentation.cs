using Diffusion.Torch;

namespace Diffusion.Training.Classification;

/// <summary>
/// Random translations by whole pixels, the light augmentation of the classifier: image i moves down by dy and right
/// by dx, each uniform in [−max, max]; pixels shifted in from outside take the background value (pad, then crop).
/// </summary>
internal static class ShiftAugmentation
{
    /// <summary>Draws (dy, dx) for <paramref name="count"/> images from <paramref name="generator"/>: [dy₀, dx₀, dy₁, dx₁, ...].</summary>
    public static long[] Draw(int count, int maxShift, Generator generator)
    {
        using var shifts = torch.randint(-maxShift, maxShift + 1, [count, 2], generator);
        return shifts.ToArray<long>();
    }

    /// <summary>
    /// Writes the images of <paramref name="source"/> [N, C, H, W], shifted by <paramref name="shifts"/> (from
    /// <see cref="Draw"/>), to <paramref name="destination"/>, filling uncovered pixels with <paramref name="fill"/>.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width, ReadOnlySpan<long> shifts, float fill)
    {
        int planes = source.Length / (height * width);
        if (destination.Length != source.Length || planes * height * width != source.Length || shifts.Length != 2 * (planes / channels))
        {
            throw new ArgumentException($"the batch ({source.Length} values into {destination.Length}) does not hold [{shifts.Length / 2}, {channels}, {height}, {width}] images");
        }
        for (int plane = 0; plane < planes; plane++)
        {
            int image = plane / channels;
            int dy = (int)shifts[2 * image], dx = (int)shifts[2 * image + 1];
            var from = source.Slice(plane * height * width, height * width);
            var to = destination.Slice(plane * height * width, height * width);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int sy = y - dy, sx = x - dx;
                    to[y * width + x] = sy >= 0 && sy < height && sx >= 0 && sx < width ? from[sy * width + sx] : fill;
                }
            }
        }
    }
}
