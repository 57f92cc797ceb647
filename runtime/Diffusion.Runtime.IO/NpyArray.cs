namespace Diffusion.Runtime.IO;

/// <summary>An n-dimensional float array in C (row-major) order, as stored in a .npy file.</summary>
public sealed class NpyArray
{
    /// <summary>Creates an array; the shape's product must equal the data length.</summary>
    /// <param name="data">The values, last dimension varying fastest.</param>
    /// <param name="shape">The dimensions (empty for a scalar holding one value).</param>
    /// <exception cref="ArgumentException">A dimension is negative or the shape does not match the data length.</exception>
    public NpyArray(float[] data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long count = NpyShape.ElementCount(shape, nameof(shape));
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Shape {NpyShape.Format(shape)} holds {count} values but the data has {data.Length}; pass a shape whose product is the data length.",
                nameof(shape));
        }

        Data = data;
        Shape = shape;
    }

    /// <summary>The values in C order.</summary>
    public float[] Data { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <inheritdoc/>
    public override string ToString() => $"float32 {NpyShape.Format(Shape)}";
}
