using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Diffusion.Runtime.IO;

namespace Diffusion.Runtime.Imaging;

/// <summary>
/// Encodes 8-bit gray, gray + alpha, RGB and RGBA pictures as PNG: the signature, an IHDR chunk,
/// optional tEXt chunks (keyword and Latin-1 text, PNG 1.2 section 11.3.4.3), one IDAT chunk of
/// zlib-compressed rows (filter type 0) and IEND.
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
    /// <param name="text">tEXt chunks to record (e.g. model, sampler, steps, seed); null for none.</param>
    public static void Write(string path, int width, int height, int channels, ReadOnlySpan<byte> pixels,
        IReadOnlyDictionary<string, string>? text = null)
    {
        RasterImage.CheckLayout(width, height, channels, pixels.Length);
        using var file = AtomicFile.Create(path);
        Encode(file.Stream, width, height, channels, pixels, text);
        file.Commit();
    }

    /// <summary>Writes a picture as a PNG file, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="image">The picture.</param>
    /// <param name="text">tEXt chunks to record; null for none.</param>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void Write(string path, RasterImage image, IReadOnlyDictionary<string, string>? text = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        Write(path, image.Width, image.Height, image.Channels, image.Pixels, text);
    }

    /// <summary>Encodes a picture as PNG into <paramref name="output"/>.</summary>
    /// <param name="output">Receives the PNG bytes.</param>
    /// <param name="image">The picture.</param>
    /// <param name="text">tEXt chunks to record; null for none.</param>
    public static void Encode(Stream output, RasterImage image, IReadOnlyDictionary<string, string>? text = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        Encode(output, image.Width, image.Height, image.Channels, image.Pixels, text);
    }

    /// <summary>Encodes a picture as PNG into <paramref name="output"/>.</summary>
    /// <param name="output">Receives the PNG bytes.</param>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="channels">1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="pixels">Row-major pixels with interleaved channels, <c>width * height * channels</c> bytes.</param>
    /// <param name="text">tEXt chunks to record; null for none.</param>
    /// <exception cref="ArgumentException">A size is out of range, the buffer length does not match, or a text keyword is not 1-79 Latin-1 characters.</exception>
    public static void Encode(Stream output, int width, int height, int channels, ReadOnlySpan<byte> pixels,
        IReadOnlyDictionary<string, string>? text = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        RasterImage.CheckLayout(width, height, channels, pixels.Length);
        var textChunks = text?.Select(kv => TextChunk(kv.Key, kv.Value)).ToList();

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
        foreach (var chunk in textChunks ?? []) WriteChunk(output, "tEXt"u8, chunk);

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

    // tEXt data: keyword (1-79 Latin-1 characters, no NUL), a NUL separator, then the text in Latin-1.
    private static byte[] TextChunk(string keyword, string value)
    {
        if (keyword.Length is < 1 or > 79 || keyword.Any(c => c is '\0' or > '\u00ff') || keyword != keyword.Trim())
            throw new ArgumentException($"PNG text keyword '{keyword}' must be 1-79 Latin-1 characters without leading or trailing spaces.", nameof(keyword));
        var latin1 = Encoding.Latin1;
        var data = new byte[keyword.Length + 1 + latin1.GetByteCount(value)];
        latin1.GetBytes(keyword, data);
        latin1.GetBytes(value, data.AsSpan(keyword.Length + 1));
        return data;
    }

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
        // The CRC covers the chunk type and data (PNG 1.2, section 5.3).
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(field, crc.GetCurrentHashAsUInt32());
        output.Write(field);
    }
}
