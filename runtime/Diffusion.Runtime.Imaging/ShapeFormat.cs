namespace Diffusion.Runtime.Imaging;

/// <summary>Shapes in error messages, as NumPy prints them: (3,), (2, 1, 28, 28).</summary>
internal static class ShapeFormat
{
    public static string Of(ReadOnlySpan<int> shape) =>
        shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape.ToArray())})";
}
