namespace Diffusion.Torch;

/// <summary>Element types supported by the binding; the values are libtorch's (c10::ScalarType).</summary>
public enum ScalarType
{
    /// <summary>32-bit signed integer.</summary>
    Int32 = 3,
    /// <summary>64-bit signed integer (indices, class labels).</summary>
    Int64 = 4,
    /// <summary>32-bit float, the default.</summary>
    Float32 = 6,
    /// <summary>64-bit float (finite-difference checks).</summary>
    Float64 = 7,
    /// <summary>Boolean.</summary>
    Bool = 11,
}

/// <summary>Maps CLR element types to <see cref="ScalarType"/>.</summary>
internal static class ScalarTypes
{
    internal static ScalarType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : throw new NotSupportedException($"element type {typeof(T).Name} is not supported: use float, double, long, int or bool");
}
