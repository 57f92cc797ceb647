using System.Globalization;

namespace Diffusion.Training.Data;

/// <summary>
/// The interval a dataset's values lie in, e.g. [-1, 1] for images. Samplers may clip their
/// clean-sample estimates to it (diffusers' <c>clip_sample_range</c>), and exporters record it.
/// </summary>
public readonly record struct DataRange
{
    /// <summary>Creates the range [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite or <paramref name="min"/> exceeds <paramref name="max"/>.</exception>
    public DataRange(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min > max)
        {
            throw new ArgumentOutOfRangeException(nameof(min), $"[{min}, {max}] is not a data range; pass finite bounds with min <= max.");
        }

        Min = min;
        Max = max;
    }

    /// <summary>[-1, 1], the range of image data scaled for diffusion.</summary>
    public static DataRange Symmetric { get; } = new(-1, 1);

    /// <summary>The lower bound.</summary>
    public float Min { get; }

    /// <summary>The upper bound.</summary>
    public float Max { get; }

    /// <summary>Whether <paramref name="value"/> lies in the closed interval.</summary>
    public bool Contains(float value) => value >= Min && value <= Max;

    /// <summary>The range of <paramref name="values"/>: their smallest and largest value.</summary>
    /// <exception cref="ArgumentException">There are no values, or one is NaN or infinite.</exception>
    public static DataRange Of(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("Cannot take the range of no values; pass at least one.", nameof(values));
        }

        float min = float.PositiveInfinity;
        float max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"The values hold {v}; pass finite values only.", nameof(values));
            }

            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return new DataRange(min, max);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Min}, {Max}]");
}
