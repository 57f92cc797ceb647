using System.Numerics.Tensors;
using Diffusion.Training.Data;

namespace Diffusion.Training.Objectives;

/// <summary>Noise levels chosen from the data.</summary>
public static class NoiseLevelHeuristics
{
    /// <summary>
    /// The largest Euclidean distance between two of (up to) <paramref name="maxSamples"/> samples
    /// spread evenly over the dataset: the largest noise level of a variance-exploding process should
    /// be about this, so that the noisiest marginal covers every pair of data points
    /// (Song &amp; Ermon 2020, "Improved techniques", technique 1).
    /// </summary>
    public static double MaxPairwiseDistance(Dataset dataset, int maxSamples = 1000)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSamples, 2);
        int m = Math.Min(maxSamples, dataset.Count);
        var picked = new int[m];
        for (int i = 0; i < m; i++) picked[i] = (int)((long)i * dataset.Count / m);
        double largest = 0;
        for (int i = 0; i < m; i++)
        {
            var a = dataset.Sample(picked[i]);
            for (int j = i + 1; j < m; j++) largest = Math.Max(largest, TensorPrimitives.Distance(a, dataset.Sample(picked[j])));
        }
        return largest;
    }
}
