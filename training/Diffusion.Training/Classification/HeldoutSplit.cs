using Diffusion.Runtime;
using Diffusion.Training.Data;

namespace Diffusion.Training.Classification;

/// <summary>
/// Splits a labelled dataset into the images a classifier trains on and the images it is measured on: image i is held
/// out when i is a multiple of k. MNIST is ordered by digit, so every class is held out in proportion.
/// </summary>
public static class HeldoutSplit
{
    /// <summary>The training and held-out parts of <paramref name="dataset"/>; with <paramref name="every"/> = 0 nothing is held out.</summary>
    /// <exception cref="DiffusionException">The split would leave one part empty.</exception>
    public static (Dataset Train, Dataset? Heldout) EveryKth(Dataset dataset, int every)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegative(every);
        if (every == 0) return (dataset, null);
        var all = Enumerable.Range(0, dataset.Count);
        int[] heldout = [.. all.Where(i => i % every == 0)];
        int[] train = [.. all.Where(i => i % every != 0)];
        if (train.Length == 0)
            throw new DiffusionException($"holding out every {every}th of the {dataset.Count} images of '{dataset.Name}' leaves none to train on: use more images or a larger interval.");
        return (Subset(dataset, train), Subset(dataset, heldout));
    }

    /// <summary>A dataset of the images (and labels) of <paramref name="dataset"/> at <paramref name="indices"/>, in that order.</summary>
    public static Dataset Subset(Dataset dataset, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        int[] picked = [.. indices];
        var data = new float[picked.Length * dataset.SampleSize];
        int[]? labels = dataset.Labels is null ? null : new int[picked.Length];
        dataset.Gather(picked, data, labels);
        var shape = dataset.Shape;
        shape[0] = picked.Length;
        return new Dataset(dataset.Name, data, shape, dataset.Range, labels, dataset.ClassCount);
    }
}
