using Diffusion.Training.Data.Mnist;

namespace Diffusion.Training.Data;

/// <summary>The settings <see cref="DatasetFactory"/> passes to whichever dataset it creates.</summary>
public sealed record DatasetOptions
{
    /// <summary>How many points a toy dataset has.</summary>
    public int ToyCount { get; init; } = 100_000;

    /// <summary>The seed toy datasets are drawn with.</summary>
    public long Seed { get; init; }

    /// <summary>MNIST's size and package location.</summary>
    public MnistOptions Mnist { get; init; } = new();

    /// <summary>A .npy file of class labels for a dataset given as a .npy path; null for none.</summary>
    public string? LabelsPath { get; init; }
}
