namespace Diffusion.Runtime.Imaging;

/// <summary>
/// Draws 2-D points as dark square dots on a white RGB canvas with a light frame and light
/// axis lines through 0; y points up. Points outside the data range (or NaN) are left out.
/// </summary>
public static class ScatterPlot
{
    private const int Channels = 3;

    private static readonly (byte R, byte G, byte B) Paper = (255, 255, 255);
    private static readonly (byte R, byte G, byte B) Frame = (190, 190, 190);
    private static readonly (byte R, byte G, byte B) Axis = (220, 220, 220);
    private static readonly (byte R, byte G, byte B) Dot = (20, 40, 110);

    /// <summary>Renders the points.</summary>
    /// <param name="data">Point i is (data[2i], data[2i + 1]).</param>
    /// <param name="shape">[N, 2] or [N, 2, 1, 1] (any trailing dimensions of size 1).</param>
    /// <param name="options">Canvas size, data range and dot size; null for the defaults.</param>
    /// <returns>An RGB picture.</returns>
    /// <exception cref="ArgumentException">The shape or an option is invalid; the message says which.</exception>
    public static RasterImage Render(ReadOnlySpan<float> data, ReadOnlySpan<int> shape, ScatterPlotOptions? options = null)
    {
        options ??= new ScatterPlotOptions();
        options.Validate();
        CheckShape(data.Length, shape);

        int width = options.Width, height = options.Height;
        var pixels = new byte[(long)width * height * Channels];
        Fill(pixels, width, 0, 0, width, height, Paper);

        float toPixels = 1f / (options.Max - options.Min);
        if (options.Min <= 0f && options.Max >= 0f)
        {
            int column = Math.Min((int)(-options.Min * toPixels * width), width - 1);
            int row = Math.Min((int)(options.Max * toPixels * height), height - 1);
            Fill(pixels, width, column, 0, 1, height, Axis);
            Fill(pixels, width, 0, row, width, 1, Axis);
        }

        Fill(pixels, width, 0, 0, width, 1, Frame);
        Fill(pixels, width, 0, height - 1, width, 1, Frame);
        Fill(pixels, width, 0, 0, 1, height, Frame);
        Fill(pixels, width, width - 1, 0, 1, height, Frame);

        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            float x = data[i], y = data[i + 1];
            if (!(x >= options.Min && x <= options.Max && y >= options.Min && y <= options.Max))
            {
                continue;
            }

            // The dot is centred on the point: pixel k covers [k, k + 1) in canvas coordinates.
            float px = (x - options.Min) * toPixels * width;
            float py = (options.Max - y) * toPixels * height;
            int left = (int)MathF.Floor(px - options.DotSize / 2f + 0.5f);
            int top = (int)MathF.Floor(py - options.DotSize / 2f + 0.5f);
            Fill(pixels, width, left, top, options.DotSize, options.DotSize, Dot);
        }

        return new RasterImage(width, height, Channels, pixels);
    }

    /// <summary>Renders the points and saves them as a PNG file, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="data">Point i is (data[2i], data[2i + 1]).</param>
    /// <param name="shape">[N, 2] or [N, 2, 1, 1] (any trailing dimensions of size 1).</param>
    /// <param name="options">Canvas size, data range and dot size; null for the defaults.</param>
    /// <exception cref="ArgumentException">The shape or an option is invalid; the message says which.</exception>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void WritePng(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape, ScatterPlotOptions? options = null) =>
        Render(data, shape, options).SavePng(path);

    /// <summary>Paints a rectangle, clipped to the canvas.</summary>
    private static void Fill(byte[] pixels, int width, int left, int top, int rectWidth, int rectHeight, (byte R, byte G, byte B) color)
    {
        int height = pixels.Length / (width * Channels);
        int x0 = Math.Max(left, 0), x1 = Math.Min(left + rectWidth, width);
        int y0 = Math.Max(top, 0), y1 = Math.Min(top + rectHeight, height);
        for (int y = y0; y < y1; y++)
        {
            for (int x = x0; x < x1; x++)
            {
                int at = (y * width + x) * Channels;
                pixels[at] = color.R;
                pixels[at + 1] = color.G;
                pixels[at + 2] = color.B;
            }
        }
    }

    private static void CheckShape(int length, ReadOnlySpan<int> shape)
    {
        bool trailingOnes = true;
        for (int i = 2; i < shape.Length; i++)
        {
            trailingOnes &= shape[i] == 1;
        }

        if (shape.Length < 2 || shape[0] < 0 || shape[1] != 2 || !trailingOnes)
        {
            throw new ArgumentException($"Points must be shaped [N, 2] or [N, 2, 1, 1]; got shape {ShapeFormat.Of(shape)}.", nameof(shape));
        }

        if ((long)shape[0] * 2 != length)
        {
            throw new ArgumentException($"Shape {ShapeFormat.Of(shape)} holds {(long)shape[0] * 2} values but the data has {length}.", nameof(shape));
        }
    }
}
