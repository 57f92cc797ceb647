namespace Diffusion.Training.Data.Mnist;

/// <summary>Pads or resamples a stack of single-channel square images stored one after another.</summary>
internal static class ImageResize
{
    /// <summary>Returns <paramref name="images"/> (each <paramref name="size"/> x size) brought to <paramref name="newSize"/> x newSize.</summary>
    public static float[] Apply(float[] images, int size, int newSize, ImageFit fit, float background)
    {
        if (newSize == size)
        {
            return images;
        }

        int count = images.Length / (size * size);
        var result = new float[count * newSize * newSize];
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> source = images.AsSpan(n * size * size, size * size);
            Span<float> target = result.AsSpan(n * newSize * newSize, newSize * newSize);
            switch (fit)
            {
                case ImageFit.Pad:
                    Pad(source, size, target, newSize, background);
                    break;
                case ImageFit.Nearest:
                    Nearest(source, size, target, newSize);
                    break;
                default:
                    Bilinear(source, size, target, newSize);
                    break;
            }
        }

        return result;
    }

    /// <summary>Centres the image; an odd margin puts the extra row and column at the bottom and right.</summary>
    private static void Pad(ReadOnlySpan<float> source, int size, Span<float> target, int newSize, float background)
    {
        target.Fill(background);
        int offset = (newSize - size) / 2;
        for (int y = 0; y < size; y++)
        {
            source.Slice(y * size, size).CopyTo(target.Slice((y + offset) * newSize + offset, size));
        }
    }

    private static void Nearest(ReadOnlySpan<float> source, int size, Span<float> target, int newSize)
    {
        for (int y = 0; y < newSize; y++)
        {
            int sy = Math.Min(y * size / newSize, size - 1);
            for (int x = 0; x < newSize; x++)
            {
                target[y * newSize + x] = source[sy * size + Math.Min(x * size / newSize, size - 1)];
            }
        }
    }

    private static void Bilinear(ReadOnlySpan<float> source, int size, Span<float> target, int newSize)
    {
        double scale = (double)size / newSize;
        for (int y = 0; y < newSize; y++)
        {
            (int y0, int y1, double fy) = Neighbours(y, scale, size);
            for (int x = 0; x < newSize; x++)
            {
                (int x0, int x1, double fx) = Neighbours(x, scale, size);
                double top = source[y0 * size + x0] * (1 - fx) + source[y0 * size + x1] * fx;
                double bottom = source[y1 * size + x0] * (1 - fx) + source[y1 * size + x1] * fx;
                target[y * newSize + x] = (float)(top * (1 - fy) + bottom * fy);
            }
        }
    }

    /// <summary>The two source pixels around output pixel <paramref name="i"/>'s centre and the weight of the second.</summary>
    private static (int Low, int High, double Fraction) Neighbours(int i, double scale, int size)
    {
        double position = Math.Clamp((i + 0.5) * scale - 0.5, 0, size - 1);
        int low = (int)position;
        return (low, Math.Min(low + 1, size - 1), position - low);
    }
}
