using Diffusion.Training.Data.Mnist;

namespace Diffusion.Training.Data.Tests.Mnist;

/// <summary>MNIST at its own size, loaded once (fetched into the repository's .deps/ if missing).</summary>
public sealed class MnistFixture
{
    public Dataset Digits { get; } = MnistDataset.Load();
}
