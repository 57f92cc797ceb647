namespace Diffusion.Training.Data;

/// <summary>
/// An in-memory training set: <see cref="Count"/> float samples shaped [C, H, W], stored together
/// as one flattened [N, C, H, W] array in C order, with optional integer class labels and the
/// range the values lie in. 2-D points are samples shaped [2, 1, 1].
/// </summary>
public sealed class Dataset
{
    private readonly int[] shape;

    /// <summary>Creates a dataset over <paramref name="data"/> (not copied).</summary>
    /// <param name="name">A short name for messages and file metadata, e.g. "mnist".</param>
    /// <param name="data">The samples, [N, C, H, W] in C order.</param>
    /// <param name="shape">The four dimensions N, C, H, W, each at least 1.</param>
    /// <param name="range">The interval every value lies in (or, for unbounded noise, nominally lies in).</param>
    /// <param name="labels">One class label per sample in [0, <paramref name="classCount"/>), or null for unlabelled data.</param>
    /// <param name="classCount">The number of classes: at least 1 with labels, 0 without.</param>
    /// <exception cref="ArgumentException">The shape does not match the data, or the labels do not match the samples or the class count.</exception>
    public Dataset(string name, float[] data, int[] shape, DataRange range, int[]? labels = null, int classCount = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length != 4 || shape.Any(d => d < 1))
        {
            throw new ArgumentException($"Dataset shape ({string.Join(", ", shape)}) is not [N, C, H, W] with every dimension at least 1.", nameof(shape));
        }

        long count = (long)shape[0] * shape[1] * shape[2] * shape[3];
        if (count != data.Length)
        {
            throw new ArgumentException($"Dataset shape ({string.Join(", ", shape)}) holds {count} values but the data has {data.Length}.", nameof(shape));
        }

        ValidateLabels(labels, classCount, shape[0]);
        Name = name;
        Data = data;
        this.shape = (int[])shape.Clone();
        Range = range;
        Labels = labels;
        ClassCount = classCount;
    }

    /// <summary>The dataset's short name, e.g. "mnist" or "ring".</summary>
    public string Name { get; }

    /// <summary>All samples, [N, C, H, W] flattened in C order.</summary>
    public float[] Data { get; }

    /// <summary>The dimensions [N, C, H, W] (a copy).</summary>
    public int[] Shape => (int[])shape.Clone();

    /// <summary>The number of samples, N.</summary>
    public int Count => shape[0];

    /// <summary>Channels per sample, C.</summary>
    public int Channels => shape[1];

    /// <summary>Height of a sample, H.</summary>
    public int Height => shape[2];

    /// <summary>Width of a sample, W.</summary>
    public int Width => shape[3];

    /// <summary>Values per sample, C * H * W.</summary>
    public int SampleSize => shape[1] * shape[2] * shape[3];

    /// <summary>The interval the values lie in.</summary>
    public DataRange Range { get; }

    /// <summary>One class label per sample, or null for unlabelled data.</summary>
    public int[]? Labels { get; }

    /// <summary>The number of classes, or 0 for unlabelled data.</summary>
    public int ClassCount { get; }

    /// <summary>The values of sample <paramref name="index"/>, [C, H, W] in C order.</summary>
    public ReadOnlySpan<float> Sample(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Data.AsSpan(index * SampleSize, SampleSize);
    }

    /// <summary>The shape of a batch of <paramref name="batchSize"/> samples: [batchSize, C, H, W].</summary>
    public int[] BatchShape(int batchSize) => [batchSize, Channels, Height, Width];

    /// <summary>Copies the samples (and labels) at <paramref name="indices"/> into a batch, in that order.</summary>
    /// <param name="indices">The samples to copy, e.g. from <see cref="Sampling.MinibatchSampler"/>.</param>
    /// <param name="samples">Receives indices.Length * <see cref="SampleSize"/> values.</param>
    /// <param name="labels">Receives indices.Length labels; pass an empty span to skip them. Must be empty for unlabelled data.</param>
    /// <exception cref="ArgumentException">A destination has the wrong length, or labels were asked of unlabelled data.</exception>
    public void Gather(ReadOnlySpan<int> indices, Span<float> samples, Span<int> labels = default)
    {
        int size = SampleSize;
        if (samples.Length != indices.Length * size)
        {
            throw new ArgumentException($"The sample buffer holds {samples.Length} values but {indices.Length} samples of {size} need {indices.Length * size}.", nameof(samples));
        }

        if (!labels.IsEmpty && (Labels is null || labels.Length != indices.Length))
        {
            throw new ArgumentException(Labels is null
                ? $"Dataset '{Name}' has no labels; pass an empty label buffer."
                : $"The label buffer holds {labels.Length} labels but {indices.Length} are needed.", nameof(labels));
        }

        for (int i = 0; i < indices.Length; i++)
        {
            Sample(indices[i]).CopyTo(samples.Slice(i * size, size));
            if (!labels.IsEmpty)
            {
                labels[i] = Labels![indices[i]];
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}: {Count} x [{Channels}, {Height}, {Width}], range {Range}" + (Labels is null ? "" : $", {ClassCount} classes");

    private static void ValidateLabels(int[]? labels, int classCount, int count)
    {
        if (labels is null)
        {
            if (classCount != 0)
            {
                throw new ArgumentException($"A class count of {classCount} was given without labels; pass labels or a class count of 0.", nameof(classCount));
            }

            return;
        }

        if (labels.Length != count)
        {
            throw new ArgumentException($"There are {labels.Length} labels for {count} samples; pass one label per sample.", nameof(labels));
        }

        if (classCount < 1)
        {
            throw new ArgumentException($"Labelled data needs a class count of at least 1, not {classCount}.", nameof(classCount));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Label {labels[i]} of sample {i} is outside [0, {classCount}); labels must be class indices.", nameof(labels));
            }
        }
    }
}
