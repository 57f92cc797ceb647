using Diffusion.Torch;
using Diffusion.Training.Data;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Classification;

/// <summary>Runs a <see cref="DigitClassifier"/> over a whole dataset, in evaluation mode and without gradients.</summary>
public static class ClassifierInference
{
    /// <summary>The logits [N, K] and features [N, D] of every image of <paramref name="dataset"/>, in its order, flattened.</summary>
    public static (float[] Logits, float[] Features) Predict(DigitClassifier network, Dataset dataset, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int k = network.Config.NumClasses, d = network.Config.FeatureDim;
        var logits = new float[dataset.Count * k];
        var features = new float[dataset.Count * d];
        bool training = network.training;
        network.eval();
        try
        {
            using var noGrad = torch.no_grad();
            for (int start = 0; start < dataset.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, dataset.Count - start);
                using var scope = torch.NewDisposeScope();
                var images = torch.FromData<float>(dataset.Data.AsSpan(start * dataset.SampleSize, n * dataset.SampleSize), [n, dataset.Channels, dataset.Height, dataset.Width]);
                var (y, f) = network.forward(images);
                y.CopyTo<float>(logits.AsSpan(start * k, n * k));
                f.CopyTo<float>(features.AsSpan(start * d, n * d));
            }
        }
        finally
        {
            network.train(training);
        }
        return (logits, features);
    }

    /// <summary>The fraction of rows of <paramref name="logits"/> [N, K] whose largest entry is at the row's label.</summary>
    public static double Accuracy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        if (labels.Length == 0 || logits.Length % labels.Length != 0)
            throw new ArgumentException($"{logits.Length} logits do not form one row per label for {labels.Length} labels", nameof(logits));
        int k = logits.Length / labels.Length, correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.Slice(i * k, k);
            int best = 0;
            for (int j = 1; j < k; j++) if (row[j] > row[best]) best = j;
            if (best == labels[i]) correct++;
        }
        return (double)correct / labels.Length;
    }

    /// <summary>The accuracy of <paramref name="network"/> on the labelled <paramref name="dataset"/>.</summary>
    public static double Accuracy(DigitClassifier network, Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var labels = dataset.Labels ?? throw new ArgumentException($"dataset '{dataset.Name}' has no labels to measure accuracy against", nameof(dataset));
        return Accuracy(Predict(network, dataset).Logits, labels);
    }
}
