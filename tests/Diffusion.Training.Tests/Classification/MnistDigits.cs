using Diffusion.Torch;
using Diffusion.Training.Classification;
using Diffusion.Training.Data;
using Diffusion.Training.Data.Mnist;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Tests.Classification;

/// <summary>MNIST at 28x28, loaded once per test class (fetched into the repository's .deps/ if missing), and a small classifier setup for it.</summary>
public sealed class MnistDigits
{
    public MnistDigits()
    {
        // Small networks run fastest on one thread; a fixed count also keeps libtorch's reductions in one order.
        torch.set_num_threads(1);
    }

    public Dataset All { get; } = MnistDataset.Load();

    /// <summary>Every 10th digit: 1,000 images, 100 of each class (MNIST is ordered by digit).</summary>
    public Dataset Thousand => HeldoutSplit.Subset(All, [.. Enumerable.Range(0, All.Count / 10).Select(i => 10 * i)]);

    /// <summary>A config small enough to train in a second or two.</summary>
    public static DigitClassifierConfig Small => new() { Channels = [8, 16, 16], FeatureDim = 32 };

    /// <summary>Options for a run of <paramref name="steps"/> steps on <see cref="Thousand"/>.</summary>
    public static ClassifierTrainingOptions Short(long steps) => new() { Steps = steps, BatchSize = 32, LearningRate = 3e-3, WarmupSteps = 10, LogEvery = 25 };
}
