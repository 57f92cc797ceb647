using System.Globalization;

namespace Diffusion.Onnx.Graphs;

/// <summary>
/// One dimension of a declared tensor shape: a fixed size (<c>2</c>) or a symbolic name
/// (<c>"batch"</c>) that stands for a size chosen when the model runs. Ints and strings convert
/// implicitly, so a shape reads <c>("batch", 3, 32, 32)</c>.
/// </summary>
public readonly record struct Dim
{
    private Dim(long? size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Size { get; }

    /// <summary>The symbolic name, or null for a fixed dimension.</summary>
    public string? Symbol { get; }

    /// <summary>A dimension of fixed, non-negative size.</summary>
    public static Dim Fixed(long size) => size >= 0
        ? new Dim(size, null)
        : throw new ArgumentOutOfRangeException(nameof(size), size, "a dimension size must be non-negative");

    /// <summary>A symbolic dimension such as <c>"batch"</c>.</summary>
    public static Dim Symbolic(string name) => !string.IsNullOrWhiteSpace(name)
        ? new Dim(null, name)
        : throw new ArgumentException("a symbolic dimension needs a non-empty name such as \"batch\"", nameof(name));

    /// <summary>A fixed dimension.</summary>
    public static implicit operator Dim(long size) => Fixed(size);

    /// <summary>A fixed dimension.</summary>
    public static implicit operator Dim(int size) => Fixed(size);

    /// <summary>A symbolic dimension.</summary>
    public static implicit operator Dim(string name) => Symbolic(name);

    /// <inheritdoc />
    public override string ToString() => Symbol ?? Size?.ToString(CultureInfo.InvariantCulture) ?? "?";
}
