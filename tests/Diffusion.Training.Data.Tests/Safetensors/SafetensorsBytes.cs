using System.Buffers.Binary;
using System.Text;

namespace Diffusion.Training.Data.Tests.Safetensors;

/// <summary>Builds safetensors files by hand from the format: u64 LE header length, JSON header, data.</summary>
internal static class SafetensorsBytes
{
    public static byte[] Build(string header, params byte[][] data) =>
        Build(Encoding.UTF8.GetBytes(header), (ulong)Encoding.UTF8.GetByteCount(header), data);

    public static byte[] Build(byte[] header, ulong declaredLength, params byte[][] data)
    {
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, declaredLength);
        return [.. length, .. header, .. data.SelectMany(d => d)];
    }
}
