namespace Diffusion.Runtime.Imaging;

/// <summary>
/// An 8-bit picture: rows top to bottom, pixels left to right, channels interleaved
/// (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA).
/// </summary>
public sealed class RasterImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a picture.</summary>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="channels">1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="pixels">Exactly <c>width * height * channels</c> bytes.</param>
    /// <exception cref="ArgumentException">A size is out of range or the buffer length does not match.</exception>
    public RasterImage(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        CheckLayout(width, height, channels, pixels.Length);
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Number of rows.</summary>
    public int Height { get; }

    /// <summary>Bytes per pixel: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }

    /// <summary>The pixel bytes, row-major with interleaved channels.</summary>
    public byte[] Pixels { get; }

    /// <summary>One channel of one pixel.</summary>
    /// <param name="x">Column, 0 at the left.</param>
    /// <param name="y">Row, 0 at the top.</param>
    /// <param name="channel">Channel index, below <see cref="Channels"/>.</param>
    public byte this[int x, int y, int channel]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)x, (uint)Width, nameof(x));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)y, (uint)Height, nameof(y));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)channel, (uint)Channels, nameof(channel));
            return Pixels[((y * Width) + x) * Channels + channel];
        }
    }

    /// <summary>Saves the picture as a PNG file, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public void SavePng(string path) => PngWriter.Write(path, Width, Height, Channels, Pixels);

    /// <summary>Checks sizes and buffer length of an interleaved 8-bit picture.</summary>
    internal static void CheckLayout(int width, int height, int channels, long length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).");
        }

        long expected = (long)width * height * channels;
        if (length != expected)
        {
            throw new ArgumentException($"A {width}x{height} picture with {channels} channel(s) needs {expected} bytes but {length} were given.");
        }
    }
}
