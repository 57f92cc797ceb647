using Onnx;

namespace Diffusion.Onnx.Graphs;

/// <summary>The element type of a tensor in an ONNX graph (the subset this project uses).</summary>
public enum ElementType
{
    /// <summary>32-bit IEEE float (ONNX <c>FLOAT</c>).</summary>
    Float32,
    /// <summary>16-bit IEEE float (ONNX <c>FLOAT16</c>).</summary>
    Float16,
    /// <summary>64-bit IEEE float (ONNX <c>DOUBLE</c>).</summary>
    Float64,
    /// <summary>32-bit signed integer (ONNX <c>INT32</c>).</summary>
    Int32,
    /// <summary>64-bit signed integer (ONNX <c>INT64</c>).</summary>
    Int64,
    /// <summary>Boolean (ONNX <c>BOOL</c>).</summary>
    Bool,
}

/// <summary>Conversions between <see cref="ElementType"/> and the protobuf enum.</summary>
public static class ElementTypes
{
    /// <summary>The ONNX <c>TensorProto.DataType</c> value of <paramref name="type"/>.</summary>
    public static TensorProto.Types.DataType ToProto(this ElementType type) => type switch
    {
        ElementType.Float32 => TensorProto.Types.DataType.Float,
        ElementType.Float16 => TensorProto.Types.DataType.Float16,
        ElementType.Float64 => TensorProto.Types.DataType.Double,
        ElementType.Int32 => TensorProto.Types.DataType.Int32,
        ElementType.Int64 => TensorProto.Types.DataType.Int64,
        ElementType.Bool => TensorProto.Types.DataType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
    };

    /// <summary>True for the floating-point types.</summary>
    public static bool IsFloatingPoint(this ElementType type) =>
        type is ElementType.Float32 or ElementType.Float16 or ElementType.Float64;

    /// <summary>The name used in configs and messages: <c>float32</c>, <c>float16</c>, <c>int64</c>, ...</summary>
    public static string ToName(this ElementType type) => type switch
    {
        ElementType.Float32 => "float32",
        ElementType.Float16 => "float16",
        ElementType.Float64 => "float64",
        ElementType.Int32 => "int32",
        ElementType.Int64 => "int64",
        ElementType.Bool => "bool",
        _ => type.ToString(),
    };
}
