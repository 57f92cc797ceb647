namespace Diffusion.Runtime.Evaluation;

/// <summary>A classifier's outputs for N images: features [N, D] and logits [N, K], row-major.</summary>
/// <param name="Features">The feature vectors.</param>
/// <param name="Logits">The class scores.</param>
/// <param name="Count">N, the number of images.</param>
/// <param name="FeatureDimension">D.</param>
/// <param name="ClassCount">K.</param>
public sealed record ClassifierOutputs(float[] Features, float[] Logits, int Count, int FeatureDimension, int ClassCount)
{
    /// <summary>The class with the highest logit for image <paramref name="index"/>.</summary>
    public int PredictedClass(int index)
    {
        var row = Logits.AsSpan(index * ClassCount, ClassCount);
        int best = 0;
        for (int k = 1; k < row.Length; k++)
            if (row[k] > row[best]) best = k;
        return best;
    }

    /// <summary>The fraction of images classified as the label they should show (<paramref name="labels"/>, one per image).</summary>
    public double Accuracy(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != Count) throw new ArgumentException($"give one label per image: {Count} images, {labels.Count} labels", nameof(labels));
        int hits = 0;
        for (int i = 0; i < Count; i++)
            if (PredictedClass(i) == labels[i]) hits++;
        return (double)hits / Count;
    }
}
