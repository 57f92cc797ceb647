namespace Diffusion.Runtime.Imaging;

/// <summary>How <see cref="ImageGrid"/> lays out and colours a batch of images.</summary>
public sealed record ImageGridOptions
{
    /// <summary>Tiles per row; null picks ceil(sqrt(N)). Never more than the batch size.</summary>
    public int? Columns { get; init; }

    /// <summary>Pixels between neighbouring tiles (not around the border).</summary>
    public int Padding { get; init; } = 2;

    /// <summary>The data value shown as 0 (black); lower values are clamped.</summary>
    public float Min { get; init; } = -1f;

    /// <summary>The data value shown as 255 (white); higher values are clamped.</summary>
    public float Max { get; init; } = 1f;

    /// <summary>Integer upscale factor: each data pixel becomes a Scale x Scale block.</summary>
    public int Scale { get; init; } = 1;

    /// <summary>The gray level of the padding and of empty cells in the last row.</summary>
    public byte Background { get; init; } = 255;

    /// <summary>Throws a clear error if an option is out of range.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and its valid range.</exception>
    public void Validate()
    {
        if (Columns is < 1)
        {
            throw new ArgumentException($"Columns must be at least 1 (or null for automatic), not {Columns}.", nameof(Columns));
        }

        if (Padding < 0)
        {
            throw new ArgumentException($"Padding must be 0 or more pixels, not {Padding}.", nameof(Padding));
        }

        if (Scale < 1)
        {
            throw new ArgumentException($"Scale must be an integer factor of at least 1, not {Scale}.", nameof(Scale));
        }

        if (!float.IsFinite(Min) || !float.IsFinite(Max) || Min >= Max)
        {
            throw new ArgumentException($"The data range [{Min}, {Max}] must be finite with Min < Max, e.g. [-1, 1].", nameof(Min));
        }
    }
}
