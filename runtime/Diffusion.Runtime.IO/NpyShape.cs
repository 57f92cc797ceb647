namespace Diffusion.Runtime.IO;

/// <summary>Shape arithmetic and formatting shared by the array readers and writers.</summary>
internal static class NpyShape
{
    /// <summary>The number of elements of <paramref name="shape"/>, checked to fit in one .NET array.</summary>
    public static long ElementCount(ReadOnlySpan<int> shape, string parameterName)
    {
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Shape {Format(shape)} has a negative dimension; dimensions must be 0 or more.", parameterName);
            }
        }

        return TryCount(shape, out long count)
            ? count
            : throw new ArgumentException($"Shape {Format(shape)} has more elements than one array can hold ({Array.MaxLength}).", parameterName);
    }

    /// <summary>The number of elements of a shape of non-negative dimensions; false if it exceeds one .NET array.</summary>
    public static bool TryCount(ReadOnlySpan<int> shape, out long count)
    {
        count = 1;
        foreach (int dimension in shape)
        {
            count *= dimension;
            if (count > Array.MaxLength)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Formats a shape as a Python tuple: <c>()</c>, <c>(3,)</c>, <c>(2, 3)</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => $"({string.Join(", ", shape.ToArray())})",
    };
}
