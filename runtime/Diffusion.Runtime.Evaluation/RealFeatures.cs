using Diffusion.Runtime.IO;

namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// The classifier features of real images, a float32 .npy of shape [N, D] shipped beside the
/// classifier, split in two disjoint halves: the even rows are the reference set generated
/// samples are compared with; the odd rows are real held-out images, whose distance to the
/// reference is the floor a perfect model would reach with as many samples.
/// </summary>
public sealed class RealFeatures
{
    private readonly float[] _heldOut;

    private RealFeatures(string path, FeatureStatistics reference, float[] heldOut, int dimension)
    {
        Path = path;
        Reference = reference;
        _heldOut = heldOut;
        Dimension = dimension;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The statistics of the reference half (the even rows).</summary>
    public FeatureStatistics Reference { get; }

    /// <summary>D, the length of a feature vector.</summary>
    public int Dimension { get; }

    /// <summary>How many held-out rows (the odd rows) there are: the most a floor can use.</summary>
    public int HeldOutCount => _heldOut.Length / Dimension;

    /// <summary>Reads the file and checks it holds <paramref name="dimension"/> features per row.</summary>
    /// <exception cref="DiffusionException">The file is missing, not a [N, D] float array, too short, or of another feature length.</exception>
    public static RealFeatures Read(string path, int dimension)
    {
        if (!File.Exists(path))
            throw new DiffusionModelException($"real-image features {path} do not exist: they ship beside the classifier (models/mnist-features.npy, made with it); pass --features PATH to use another file.");
        var array = NpyFile.Read(path);
        if (array.Shape.Length != 2 || array.Shape[1] != dimension)
            throw new DiffusionModelException(
                $"real-image features {path} have shape [{string.Join(", ", array.Shape)}], but the classifier gives {dimension} features per image: " +
                $"use the features file made with this classifier ([N, {dimension}]).");
        int rows = array.Shape[0];
        if (rows < 4)
            throw new DiffusionModelException($"real-image features {path} hold {rows} rows: the reference and the floor need at least 4.");
        var even = new float[(rows + 1) / 2 * dimension];
        var odd = new float[rows / 2 * dimension];
        for (int r = 0; r < rows; r++)
            array.Data.AsSpan(r * dimension, dimension).CopyTo((r % 2 == 0 ? even : odd).AsSpan(r / 2 * dimension));
        return new RealFeatures(System.IO.Path.GetFullPath(path), FeatureStatistics.Of(even, dimension), odd, dimension);
    }

    /// <summary>
    /// <paramref name="count"/> held-out feature vectors (at most <see cref="HeldOutCount"/>), spread evenly over the
    /// held-out rows (row floor(k H / count) for k = 0 .. count - 1): a file stored class by class, as the shipped one
    /// is, so gives every class its share, where the first rows would all be zeros.
    /// </summary>
    public float[] HeldOut(int count)
    {
        int take = Math.Min(count, HeldOutCount), d = Dimension;
        var rows = new float[take * d];
        for (int k = 0; k < take; k++)
        {
            int row = (int)((long)k * HeldOutCount / take);
            _heldOut.AsSpan(row * d, d).CopyTo(rows.AsSpan(k * d, d));
        }
        return rows;
    }
}
