using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Diffusion.Onnx.Graphs;

// Initializers (named weights) and constants (anonymous, deduplicated initializers).
public sealed partial class OnnxModelBuilder
{
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);

    /// <summary>Adds a float32 initializer (a weight) and returns its name.</summary>
    /// <param name="name">The initializer's name.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="shape">The shape; null for a 1-D tensor of <c>values.Length</c> elements, empty for a scalar.</param>
    public string Initializer(string name, ReadOnlySpan<float> values, long[]? shape = null) =>
        AddInitializer(name, ElementType.Float32, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>Adds a float16 initializer and returns its name.</summary>
    /// <inheritdoc cref="Initializer(string, ReadOnlySpan{float}, long[])" path="/param"/>
    public string Initializer(string name, ReadOnlySpan<Half> values, long[]? shape = null) =>
        AddInitializer(name, ElementType.Float16, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>Adds an int64 initializer and returns its name.</summary>
    /// <inheritdoc cref="Initializer(string, ReadOnlySpan{float}, long[])" path="/param"/>
    public string Initializer(string name, ReadOnlySpan<long> values, long[]? shape = null) =>
        AddInitializer(name, ElementType.Int64, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>Adds a ready-made initializer (its <c>name</c> must be set and new) and returns its name.</summary>
    public string Initializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Claim(tensor.Name, "initializer");
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float32 scalar constant; equal constants share one initializer.</summary>
    public string Constant(float value) => Constant([value], shape: []);

    /// <summary>An int64 scalar constant; equal constants share one initializer.</summary>
    public string Constant(long value) => Constant([value], shape: []);

    /// <summary>A float32 constant tensor (1-D unless <paramref name="shape"/> is given); equal constants share one initializer.</summary>
    public string Constant(ReadOnlySpan<float> values, long[]? shape = null) =>
        AddConstant(ElementType.Float32, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>An int64 constant tensor (1-D unless <paramref name="shape"/> is given); equal constants share one initializer.</summary>
    public string Constant(ReadOnlySpan<long> values, long[]? shape = null) =>
        AddConstant(ElementType.Int64, MemoryMarshal.AsBytes(values), values.Length, shape);

    private string AddConstant(ElementType type, ReadOnlySpan<byte> raw, int count, long[]? shape)
    {
        shape ??= [count];
        var key = $"{type}[{string.Join(',', shape)}]{Convert.ToBase64String(raw)}";
        if (_constants.TryGetValue(key, out var existing))
            return existing;
        var name = UniqueName("const");
        _values.Add(name);
        _graph.Initializer.Add(Tensor(name, type, raw, count, shape));
        _constants[key] = name;
        return name;
    }

    private string AddInitializer(string name, ElementType type, ReadOnlySpan<byte> raw, int count, long[]? shape)
    {
        var tensor = Tensor(name, type, raw, count, shape ?? [count]);
        Claim(name, "initializer");
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A tensor holding little-endian raw data, checked against its shape.</summary>
    private static TensorProto Tensor(string name, ElementType type, ReadOnlySpan<byte> raw, int count, long[] shape)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is big-endian.");
        var expected = shape.Aggregate(1L, (product, d) => d >= 0
            ? product * d
            : throw new ArgumentException($"Tensor '{name}' has a negative dimension {d}: dimensions must be >= 0."));
        if (expected != count)
            throw new ArgumentException(
                $"Tensor '{name}' has {count} values but shape [{string.Join(", ", shape)}] holds {expected}: make them agree.");
        var tensor = new TensorProto { Name = name, DataType = (int)type.ToProto(), RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(shape);
        return tensor;
    }
}
