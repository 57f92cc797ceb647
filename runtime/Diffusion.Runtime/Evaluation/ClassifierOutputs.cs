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

    /// <summary>The fraction of images classified as <paramref name="label"/>: the accuracy when every image should show it.</summary>
    public double FractionClassifiedAs(int label)
    {
        int hits = 0;
        for (int i = 0; i < Count; i++)
            if (PredictedClass(i) == label) hits++;
        return (double)hits / Count;
    }
}
