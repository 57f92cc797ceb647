using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Diffusion.Training.Data.Safetensors;

/// <summary>
/// One tensor of a safetensors file: its element type, shape (empty for a scalar) and raw
/// little-endian bytes in C order.
/// </summary>
public sealed class SafetensorsTensor
{
    private readonly long[] shape;
    private readonly byte[] data;

    /// <summary>Creates a tensor over <paramref name="data"/> (not copied).</summary>
    /// <param name="dtype">The element type.</param>
    /// <param name="shape">The dimensions, each 0 or more; empty for a scalar.</param>
    /// <param name="data">The elements, little-endian, C order: exactly product(shape) * element size bytes.</param>
    /// <exception cref="ArgumentException">A dimension is negative or the byte count does not match the shape.</exception>
    public SafetensorsTensor(SafetensorsDType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = ElementCountOf(shape) ?? throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has a negative dimension or too many elements.", nameof(shape));
        if (count * dtype.ElementSize() != data.Length)
        {
            throw new ArgumentException(
                $"A {dtype} tensor of shape [{string.Join(", ", shape)}] takes {count * dtype.ElementSize()} bytes, but {data.Length} were given.", nameof(data));
        }

        DType = dtype;
        this.shape = (long[])shape.Clone();
        this.data = data;
        ElementCount = count;
    }

    /// <summary>The element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The dimensions (a copy); empty for a scalar.</summary>
    public long[] Shape => (long[])shape.Clone();

    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>The raw little-endian bytes.</summary>
    public ReadOnlySpan<byte> Bytes => data;

    /// <summary>A float32 tensor of <paramref name="values"/>, shaped <paramref name="shape"/> (default: a vector).</summary>
    public static SafetensorsTensor FromFloats(ReadOnlySpan<float> values, long[]? shape = null) =>
        new(SafetensorsDType.F32, shape ?? [values.Length], ToBytes(values));

    /// <summary>A float64 tensor of <paramref name="values"/>, shaped <paramref name="shape"/> (default: a vector).</summary>
    public static SafetensorsTensor FromDoubles(ReadOnlySpan<double> values, long[]? shape = null) =>
        new(SafetensorsDType.F64, shape ?? [values.Length], ToBytes(values));

    /// <summary>An int64 tensor of <paramref name="values"/>, shaped <paramref name="shape"/> (default: a vector).</summary>
    public static SafetensorsTensor FromInt64s(ReadOnlySpan<long> values, long[]? shape = null) =>
        new(SafetensorsDType.I64, shape ?? [values.Length], ToBytes(values));

    /// <summary>An int64 scalar (shape []), e.g. a step count.</summary>
    public static SafetensorsTensor Scalar(long value) => FromInt64s([value], []);

    /// <summary>A float64 scalar (shape []).</summary>
    public static SafetensorsTensor Scalar(double value) => FromDoubles([value], []);

    /// <summary>The elements as float32; reads F32, and F16 and BF16 exactly widened.</summary>
    /// <exception cref="InvalidOperationException">The tensor holds another type.</exception>
    public float[] ToFloats() => DType switch
    {
        SafetensorsDType.F32 => FromBytes<float>(),
        SafetensorsDType.F16 => [.. FromBytes<Half>().Select(h => (float)h)],
        SafetensorsDType.BF16 => [.. FromBytes<ushort>().Select(b => BitConverter.Int32BitsToSingle(b << 16))],
        _ => throw WrongType("float32", "F32, F16 or BF16"),
    };

    /// <summary>The elements as float64; reads F64 and F32.</summary>
    /// <exception cref="InvalidOperationException">The tensor holds another type.</exception>
    public double[] ToDoubles() => DType switch
    {
        SafetensorsDType.F64 => FromBytes<double>(),
        SafetensorsDType.F32 => [.. FromBytes<float>().Select(f => (double)f)],
        _ => throw WrongType("float64", "F64 or F32"),
    };

    /// <summary>The elements as int64; reads I64 and I32.</summary>
    /// <exception cref="InvalidOperationException">The tensor holds another type.</exception>
    public long[] ToInt64s() => DType switch
    {
        SafetensorsDType.I64 => FromBytes<long>(),
        SafetensorsDType.I32 => [.. FromBytes<int>().Select(i => (long)i)],
        _ => throw WrongType("int64", "I64 or I32"),
    };

    /// <inheritdoc/>
    public override string ToString() => $"{DType} [{string.Join(", ", shape)}]";

    /// <summary>The product of <paramref name="dimensions"/>, or null if one is negative or the product overflows.</summary>
    internal static long? ElementCountOf(ReadOnlySpan<long> dimensions)
    {
        long count = 1;
        foreach (long d in dimensions)
        {
            if (d < 0 || (d > 0 && count > long.MaxValue / d))
            {
                return null;
            }

            count *= d;
        }

        return count;
    }

    private InvalidOperationException WrongType(string wanted, string readable) =>
        new($"The tensor is {DType}; reading it as {wanted} needs {readable}.");

    private static byte[] ToBytes<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        byte[] bytes = MemoryMarshal.AsBytes(values).ToArray();
        SwapIfBigEndian<T>(bytes);
        return bytes;
    }

    private T[] FromBytes<T>()
        where T : unmanaged
    {
        byte[] bytes = (byte[])data.Clone();
        SwapIfBigEndian<T>(bytes);
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    private static void SwapIfBigEndian<T>(Span<byte> bytes)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            return;
        }

        int size = Unsafe.SizeOf<T>();
        for (int i = 0; i < bytes.Length; i += size)
        {
            bytes.Slice(i, size).Reverse();
        }
    }
}
