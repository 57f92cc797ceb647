using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Diffusion.Runtime.Tests.IO;

/// <summary>
/// A minimal PNG reader for checking the writer: verifies the signature and every chunk's CRC
/// (with a bitwise CRC-32 independent of System.IO.Hashing), reads IHDR, inflates the IDAT
/// stream and undoes filter type 0 (the only one the writer uses).
/// </summary>
internal static class PngDecoder
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public sealed record Png(
        int Width, int Height, byte BitDepth, byte ColorType, byte Compression, byte Filter, byte Interlace,
        IReadOnlyList<string> ChunkTypes, byte[] Pixels)
    {
        /// <summary>The tEXt chunks, keyword to text (Latin-1).</summary>
        public IReadOnlyDictionary<string, string> Text { get; init; } = new Dictionary<string, string>();

        public int Channels => ColorType switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, _ => throw new InvalidDataException($"color type {ColorType}") };

        public byte At(int x, int y, int channel) => Pixels[(y * Width + x) * Channels + channel];
    }

    public static Png Decode(string path) => Decode(File.ReadAllBytes(path));

    public static Png Decode(byte[] file)
    {
        Assert.True(file.AsSpan(0, 8).SequenceEqual(Signature), "PNG signature");
        var types = new List<string>();
        var idat = new MemoryStream();
        byte[]? header = null;
        var text = new Dictionary<string, string>();
        int at = 8;
        while (at < file.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            string type = Encoding.ASCII.GetString(file, at + 4, 4);
            byte[] data = file.AsSpan(at + 8, length).ToArray();
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 8 + length));
            uint expected = BitwiseCrc32(file.AsSpan(at + 4, 4 + length));
            Assert.True(stored == expected, $"CRC of {type}: stored {stored:X8}, computed {expected:X8}");
            types.Add(type);
            if (type == "IHDR")
            {
                header = data;
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "tEXt")
            {
                int separator = Array.IndexOf(data, (byte)0);
                Assert.InRange(separator, 1, 79);
                text.Add(Encoding.Latin1.GetString(data, 0, separator), Encoding.Latin1.GetString(data, separator + 1, data.Length - separator - 1));
            }

            at += 12 + length;
        }

        Assert.Equal(file.Length, at);
        Assert.NotNull(header);
        Assert.Equal(13, header.Length);
        int width = BinaryPrimitives.ReadInt32BigEndian(header);
        int height = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        var png = new Png(width, height, header[8], header[9], header[10], header[11], header[12], types, []);

        idat.Position = 0;
        var raw = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
        {
            zlib.CopyTo(raw);
        }

        int rowLength = width * png.Channels;
        byte[] filtered = raw.ToArray();
        Assert.Equal(height * (rowLength + 1), filtered.Length);
        var pixels = new byte[height * rowLength];
        for (int y = 0; y < height; y++)
        {
            Assert.Equal(0, filtered[y * (rowLength + 1)]);
            filtered.AsSpan(y * (rowLength + 1) + 1, rowLength).CopyTo(pixels.AsSpan(y * rowLength));
        }

        return png with { Pixels = pixels, Text = text };
    }

    /// <summary>CRC-32 (ISO-HDLC) one bit at a time, straight from the definition.</summary>
    public static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                bool low = (crc & 1) != 0;
                crc >>= 1;
                if (low)
                {
                    crc ^= 0xEDB88320;
                }
            }
        }

        return crc ^ 0xFFFFFFFF;
    }
}
