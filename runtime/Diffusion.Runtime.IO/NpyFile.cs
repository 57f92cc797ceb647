using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Diffusion.Runtime.IO;

/// <summary>
/// Reads and writes NumPy .npy files holding float arrays.
/// Reads format versions 1.0, 2.0 and 3.0 with little-endian float32, float64 or float16 data
/// (converted to float32); writes C-order little-endian float32 (<c>&lt;f4</c>) as version 1.0,
/// or 2.0 when the header is too long for 1.0.
/// </summary>
public static class NpyFile
{
    private const int Alignment = 64;
    private const int ChunkElements = 1 << 16;
    private const string Float32 = "<f4";
    private const string Float64 = "<f8";
    private const string Float16 = "<f2";

    private const int VersionLength = 2;

    /// <summary>The file signature: byte 0x93 then "NUMPY".</summary>
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file of float32, float64 or float16 values.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The values as float32 with their shape.</returns>
    /// <exception cref="InvalidDataException">The file is not a .npy file this reader supports; the message names the file, the problem and the fix.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            return Read(stream);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Cannot read '{path}': {e.Message}.", e);
        }
    }

    /// <summary>Writes <paramref name="array"/> as a float32 .npy file, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="array">The values and shape.</param>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        Write(path, array.Data, array.Shape);
    }

    /// <summary>Writes <paramref name="data"/> with <paramref name="shape"/> as a float32 .npy file, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="data">The values in C order.</param>
    /// <param name="shape">The dimensions; their product must equal the data length.</param>
    /// <exception cref="ArgumentException">The shape does not match the data.</exception>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        long count = NpyShape.ElementCount(shape, nameof(shape));
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Shape {NpyShape.Format(shape)} holds {count} values but the data has {data.Length}; pass a shape whose product is the data length.",
                nameof(shape));
        }

        using var file = AtomicFile.Create(path);
        WritePreamble(file.Stream, shape);
        WriteFloats(file.Stream, data);
        file.Commit();
    }

    /// <summary>Encodes <paramref name="data"/> with <paramref name="shape"/> as float32 .npy bytes into <paramref name="output"/> (e.g. an HTTP response).</summary>
    /// <param name="output">Receives the .npy bytes.</param>
    /// <param name="data">The values in C order.</param>
    /// <param name="shape">The dimensions; their product must equal the data length.</param>
    /// <exception cref="ArgumentException">The shape does not match the data.</exception>
    public static void Encode(Stream output, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(output);
        long count = NpyShape.ElementCount(shape, nameof(shape));
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Shape {NpyShape.Format(shape)} holds {count} values but the data has {data.Length}; pass a shape whose product is the data length.",
                nameof(shape));
        }

        WritePreamble(output, shape);
        WriteFloats(output, data);
    }

    private static NpyArray Read(FileStream stream)
    {
        Span<byte> prefix = stackalloc byte[Magic.Length + VersionLength];
        if (stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length || !prefix[..Magic.Length].SequenceEqual(Magic))
        {
            throw new FormatException("it is not a .npy file (it does not start with the \\x93NUMPY magic); save arrays with numpy.save");
        }

        byte major = prefix[Magic.Length];
        byte minor = prefix[Magic.Length + 1];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw new FormatException($"its .npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
        }

        Span<byte> lengthBytes = stackalloc byte[major == 1 ? 2 : 4];
        long headerLength = ReadHeaderLength(stream, lengthBytes);
        if (headerLength > stream.Length - stream.Position)
        {
            throw new FormatException($"the header is truncated: it declares {headerLength} bytes but only {stream.Length - stream.Position} follow");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        Encoding encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        NpyHeader header = NpyHeader.Parse(encoding.GetString(headerBytes));

        if (header.FortranOrder)
        {
            throw new FormatException("Fortran-order arrays are not supported; save a C-order copy (numpy.ascontiguousarray)");
        }

        int itemSize = ItemSize(header.Descr);
        if (!NpyShape.TryCount(header.Shape, out long count))
        {
            throw new FormatException($"shape {NpyShape.Format(header.Shape)} has more elements than one array can hold ({Array.MaxLength})");
        }

        long needed = count * itemSize;
        long available = stream.Length - stream.Position;
        if (available < needed)
        {
            throw new FormatException(
                $"the data is truncated: shape {NpyShape.Format(header.Shape)} of '{header.Descr}' needs {needed} bytes but only {available} follow the header");
        }

        var data = new float[count];
        ReadFloats(stream, header.Descr, data);
        return new NpyArray(data, header.Shape);
    }

    private static long ReadHeaderLength(Stream stream, Span<byte> lengthBytes)
    {
        if (stream.ReadAtLeast(lengthBytes, lengthBytes.Length, throwOnEndOfStream: false) < lengthBytes.Length)
        {
            throw new FormatException("the header is truncated: the file ends before the header length");
        }

        return lengthBytes.Length == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
    }

    private static int ItemSize(string descr) => descr switch
    {
        Float32 => 4,
        Float64 => 8,
        Float16 => 2,
        ['>', ..] => throw new FormatException($"big-endian data ('{descr}') is not supported; convert it with array.astype('<f4')"),
        _ => throw new FormatException(
            $"dtype '{descr}' is not supported; only float32, float64 and float16 ('<f4', '<f8', '<f2') can be read, convert it with array.astype('<f4')"),
    };

    private static void ReadFloats(Stream stream, string descr, Span<float> data)
    {
        int itemSize = ItemSize(descr);
        var buffer = new byte[ChunkElements * itemSize];
        for (int start = 0; start < data.Length; start += ChunkElements)
        {
            Span<float> chunk = data.Slice(start, Math.Min(ChunkElements, data.Length - start));
            Span<byte> bytes = buffer.AsSpan(0, chunk.Length * itemSize);
            stream.ReadExactly(bytes);
            for (int i = 0; i < chunk.Length; i++)
            {
                ReadOnlySpan<byte> item = bytes.Slice(i * itemSize, itemSize);
                chunk[i] = itemSize switch
                {
                    4 => BinaryPrimitives.ReadSingleLittleEndian(item),
                    8 => (float)BinaryPrimitives.ReadDoubleLittleEndian(item),
                    _ => (float)BinaryPrimitives.ReadHalfLittleEndian(item),
                };
            }
        }
    }

    private static void WritePreamble(Stream stream, ReadOnlySpan<int> shape)
    {
        string text = NpyHeader.Format(Float32, shape);
        int major = 1;
        int prefixLength = Magic.Length + VersionLength + sizeof(ushort);
        int headerLength = PaddedHeaderLength(prefixLength, text.Length);
        if (headerLength > ushort.MaxValue)
        {
            major = 2;
            prefixLength = Magic.Length + VersionLength + sizeof(uint);
            headerLength = PaddedHeaderLength(prefixLength, text.Length);
        }

        var preamble = new byte[prefixLength + headerLength];
        Magic.CopyTo(preamble);
        preamble[Magic.Length] = (byte)major;
        preamble[Magic.Length + 1] = 0;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(preamble.AsSpan(Magic.Length + 2), (ushort)headerLength);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(preamble.AsSpan(Magic.Length + 2), (uint)headerLength);
        }

        Span<byte> header = preamble.AsSpan(prefixLength);
        header.Fill((byte)' ');
        Encoding.Latin1.GetBytes(text, header);
        header[^1] = (byte)'\n';
        stream.Write(preamble);
    }

    /// <summary>The header length (text, space padding, newline) that makes the preamble a multiple of 64 bytes.</summary>
    private static int PaddedHeaderLength(int prefixLength, int textLength)
    {
        int unpadded = prefixLength + textLength + 1;
        return (unpadded + Alignment - 1) / Alignment * Alignment - prefixLength;
    }

    private static void WriteFloats(Stream stream, ReadOnlySpan<float> data)
    {
        if (BitConverter.IsLittleEndian)
        {
            for (int start = 0; start < data.Length; start += ChunkElements)
            {
                stream.Write(MemoryMarshal.AsBytes(data.Slice(start, Math.Min(ChunkElements, data.Length - start))));
            }

            return;
        }

        var buffer = new byte[ChunkElements * sizeof(float)];
        for (int start = 0; start < data.Length; start += ChunkElements)
        {
            ReadOnlySpan<float> chunk = data.Slice(start, Math.Min(ChunkElements, data.Length - start));
            for (int i = 0; i < chunk.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), chunk[i]);
            }

            stream.Write(buffer, 0, chunk.Length * sizeof(float));
        }
    }
}
