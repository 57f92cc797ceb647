namespace Diffusion.Runtime.Imaging;

/// <summary>Canvas size, data range and dot size for <see cref="ScatterPlot"/>.</summary>
public sealed record ScatterPlotOptions
{
    /// <summary>Picture width in pixels.</summary>
    public int Width { get; init; } = 512;

    /// <summary>Picture height in pixels.</summary>
    public int Height { get; init; } = 512;

    /// <summary>The data value at the left and bottom edges (both axes share the range).</summary>
    public float Min { get; init; } = -1f;

    /// <summary>The data value at the right and top edges (both axes share the range).</summary>
    public float Max { get; init; } = 1f;

    /// <summary>Side of each square dot, in pixels.</summary>
    public int DotSize { get; init; } = 2;

    /// <summary>Throws a clear error if an option is out of range.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and its valid range.</exception>
    public void Validate()
    {
        if (Width < 1 || Height < 1)
        {
            throw new ArgumentException($"The plot must be at least 1x1 pixels, not {Width}x{Height}.", nameof(Width));
        }

        if (DotSize < 1)
        {
            throw new ArgumentException($"DotSize must be at least 1 pixel, not {DotSize}.", nameof(DotSize));
        }

        if (!float.IsFinite(Min) || !float.IsFinite(Max) || Min >= Max)
        {
            throw new ArgumentException($"The data range [{Min}, {Max}] must be finite with Min < Max, e.g. [-4, 4].", nameof(Min));
        }
    }
}
