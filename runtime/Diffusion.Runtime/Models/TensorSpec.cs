using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Diffusion.Runtime.Models;

/// <summary>A model input or output as declared: name, element type, shape (-1 or a name for dynamic dims).</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="ElementType">Element type.</param>
/// <param name="Dimensions">Declared dims; -1 where dynamic.</param>
/// <param name="SymbolicDimensions">Names of the dynamic dims, where given.</param>
public sealed record TensorSpec(string Name, TensorElementType ElementType, int[] Dimensions, string[] SymbolicDimensions)
{
    internal static TensorSpec From(string name, NodeMetadata meta) =>
        new(name, meta.ElementDataType, meta.Dimensions, meta.SymbolicDimensions);

    /// <summary>Rank of the tensor.</summary>
    public int Rank => Dimensions.Length;

    /// <summary>The element type in ONNX's words (float, float16, int64, ...).</summary>
    public string TypeName => ElementType switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Float16 => "float16",
        TensorElementType.Double => "float64",
        TensorElementType.Int64 => "int64",
        TensorElementType.Int32 => "int32",
        var t => t.ToString().ToLowerInvariant(),
    };

    /// <inheritdoc />
    public override string ToString()
    {
        var dims = Dimensions.Select((d, i) => d >= 0 ? d.ToString() : string.IsNullOrEmpty(SymbolicDimensions.ElementAtOrDefault(i)) ? "?" : SymbolicDimensions[i]);
        return $"{Name}: {TypeName} [{string.Join(", ", dims)}]";
    }
}
