using System.Buffers.Binary;
using System.Text;

namespace Diffusion.Runtime.Tests.IO;

/// <summary>Builds .npy files by hand, following the NPY format specification.</summary>
internal static class NpyBytes
{
    public static byte[] Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Magic, version, header length, the header padded with spaces to a multiple of 64 and ended by a newline, then the data.</summary>
    public static byte[] File(byte major, string header, byte[] data)
    {
        int lengthSize = major == 1 ? 2 : 4;
        int prefix = 6 + 2 + lengthSize;
        Encoding encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        int textLength = encoding.GetByteCount(header) + 1;
        int padding = (64 - (prefix + textLength) % 64) % 64;
        byte[] text = encoding.GetBytes(header + new string(' ', padding) + "\n");

        var file = new MemoryStream();
        file.Write(Magic);
        file.WriteByte(major);
        file.WriteByte(0);
        var length = new byte[lengthSize];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)text.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
        }

        file.Write(length);
        file.Write(text);
        file.Write(data);
        return file.ToArray();
    }

    public static byte[] Float32(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static byte[] Float64(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    public static byte[] Float16(params float[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        return bytes;
    }
}
