using System.Buffers.Binary;
using System.IO.Compression;

namespace Diffusion.Runtime.IO;

/// <summary>
/// Encodes 8-bit gray, gray + alpha, RGB and RGBA pictures as PNG: the signature, an IHDR chunk,
/// one IDAT chunk of zlib-compressed rows (filter type 0) and IEND.
/// </summary>
public static class PngWriter
{
    private const byte BitDepth = 8;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Writes a PNG file, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="channels">1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="pixels">Row-major pixels with interleaved channels, <c>width * height * channels</c> bytes.</param>
    /// <exception cref="ArgumentException">A size is out of range or the buffer length does not match.</exception>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void Write(string path, int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        RasterImage.CheckLayout(width, height, channels, pixels.Length);
        using var file = AtomicFile.Create(path);
        Encode(file.Stream, width, height, channels, pixels);
        file.Commit();
    }

    /// <summary>Writes a picture as a PNG file, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="image">The picture.</param>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void Write(string path, RasterImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Write(path, image.Width, image.Height, image.Channels, image.Pixels);
    }

    /// <summary>Encodes a picture as PNG into <paramref name="output"/>.</summary>
    /// <param name="output">Receives the PNG bytes.</param>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="channels">1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="pixels">Row-major pixels with interleaved channels, <c>width * height * channels</c> bytes.</param>
    /// <exception cref="ArgumentException">A size is out of range or the buffer length does not match.</exception>
    public static void Encode(Stream output, int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        ArgumentNullException.ThrowIfNull(output);
        RasterImage.CheckLayout(width, height, channels, pixels.Length);

        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = BitDepth;
        header[9] = ColorType(channels);
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method: adaptive, every row uses type 0 here
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR"u8, header);

        WriteChunk(output, "IDAT"u8, Compress(width * channels, pixels));
        WriteChunk(output, "IEND"u8, []);
    }

    private static byte ColorType(int channels) => channels switch
    {
        1 => 0,
        2 => 4,
        3 => 2,
        _ => 6,
    };

    private static ReadOnlySpan<byte> Compress(int rowLength, ReadOnlySpan<byte> pixels)
    {
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int start = 0; start < pixels.Length; start += rowLength)
            {
                zlib.WriteByte(0); // filter type 0: the row as is
                zlib.Write(pixels.Slice(start, rowLength));
            }
        }

        return compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, data.Length);
        output.Write(field);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(field, Crc32.Append(Crc32.Compute(type), data));
        output.Write(field);
    }
}
