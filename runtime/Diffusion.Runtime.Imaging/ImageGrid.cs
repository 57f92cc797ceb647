namespace Diffusion.Runtime.Imaging;

/// <summary>
/// Tiles a batch of images, given as floats in layout [N, C, H, W] with C = 1 (gray) or 3 (RGB),
/// into one picture: row by row, left to right, the data range mapped to 0..255.
/// </summary>
public static class ImageGrid
{
    /// <summary>Renders the batch as one picture.</summary>
    /// <param name="data">The images in C order, <c>N * C * H * W</c> values.</param>
    /// <param name="shape">[N, C, H, W] with N at least 1 and C = 1 or 3.</param>
    /// <param name="options">Layout and value range; null for the defaults.</param>
    /// <returns>The picture, with as many channels as the images.</returns>
    /// <exception cref="ArgumentException">The shape or an option is invalid; the message says which.</exception>
    public static RasterImage Render(ReadOnlySpan<float> data, ReadOnlySpan<int> shape, ImageGridOptions? options = null)
    {
        options ??= new ImageGridOptions();
        options.Validate();
        var (count, channels, height, width) = CheckShape(data.Length, shape);

        int columns = Math.Min(options.Columns ?? CeilingSqrt(count), count);
        int rows = (count + columns - 1) / columns;
        int tileWidth = width * options.Scale;
        int tileHeight = height * options.Scale;
        long gridWidth = (long)columns * tileWidth + (long)(columns - 1) * options.Padding;
        long gridHeight = (long)rows * tileHeight + (long)(rows - 1) * options.Padding;
        if (gridWidth > int.MaxValue || gridHeight > int.MaxValue || gridWidth * gridHeight * channels > Array.MaxLength)
        {
            throw new ArgumentException($"The grid would be {gridWidth}x{gridHeight} pixels, too large for one picture; render fewer images or a smaller Scale.", nameof(shape));
        }

        var pixels = new byte[gridWidth * gridHeight * channels];
        Array.Fill(pixels, options.Background);
        int stride = (int)gridWidth * channels;
        float scale = 1f / (options.Max - options.Min);

        for (int image = 0; image < count; image++)
        {
            int left = image % columns * (tileWidth + options.Padding);
            int top = image / columns * (tileHeight + options.Padding);
            for (int channel = 0; channel < channels; channel++)
            {
                ReadOnlySpan<float> plane = data.Slice((image * channels + channel) * height * width, height * width);
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        byte value = ToByte((plane[y * width + x] - options.Min) * scale);
                        for (int dy = 0; dy < options.Scale; dy++)
                        {
                            int rowStart = (top + y * options.Scale + dy) * stride + (left + x * options.Scale) * channels + channel;
                            for (int dx = 0; dx < options.Scale; dx++)
                            {
                                pixels[rowStart + dx * channels] = value;
                            }
                        }
                    }
                }
            }
        }

        return new RasterImage((int)gridWidth, (int)gridHeight, channels, pixels);
    }

    /// <summary>Renders the batch and saves it as a PNG file, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="data">The images in C order, <c>N * C * H * W</c> values.</param>
    /// <param name="shape">[N, C, H, W] with N at least 1 and C = 1 or 3.</param>
    /// <param name="options">Layout and value range; null for the defaults.</param>
    /// <exception cref="ArgumentException">The shape or an option is invalid; the message says which.</exception>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void WritePng(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape, ImageGridOptions? options = null) =>
        Render(data, shape, options).SavePng(path);

    /// <summary>Maps a value in [0, 1] to 0..255, rounding to nearest and clamping; NaN becomes 0.</summary>
    private static byte ToByte(float unit) =>
        float.IsNaN(unit) ? (byte)0 : (byte)MathF.Floor(Math.Clamp(unit, 0f, 1f) * 255f + 0.5f);

    private static (int Count, int Channels, int Height, int Width) CheckShape(int length, ReadOnlySpan<int> shape)
    {
        if (shape.Length != 4)
        {
            throw new ArgumentException($"Images must be shaped [N, C, H, W]; got shape {ShapeFormat.Of(shape)}.", nameof(shape));
        }

        int count = shape[0], channels = shape[1], height = shape[2], width = shape[3];
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"Images must have 1 (gray) or 3 (RGB) channels; shape {ShapeFormat.Of(shape)} has {channels}.", nameof(shape));
        }

        if (count < 1 || height < 1 || width < 1)
        {
            throw new ArgumentException($"Shape {ShapeFormat.Of(shape)} holds no pixels; pass at least one image of at least 1x1.", nameof(shape));
        }

        if ((long)count * channels * height * width != length)
        {
            throw new ArgumentException($"Shape {ShapeFormat.Of(shape)} holds {(long)count * channels * height * width} values but the data has {length}.", nameof(shape));
        }

        return (count, channels, height, width);
    }

    private static int CeilingSqrt(int n)
    {
        int root = (int)Math.Sqrt(n);
        return root * root < n ? root + 1 : root;
    }
}
