using Diffusion.Training.Data;
using Diffusion.Training.Data.Mnist;

namespace Diffusion.Training.Training;

/// <summary>Which dataset a run trains on, stored in its checkpoints so that a resumed run loads the same data.</summary>
public sealed record DatasetSpec
{
    /// <summary>mnist, ring, moons, swissroll, checkerboard, or the path of a .npy file (<see cref="DatasetFactory"/>).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The data's name as exported models record it: the built-in name in lower case (<c>mnist</c>, <c>ring</c>, ...),
    /// or a .npy dataset's file name (e.g. <c>digits.npy</c>).
    /// </summary>
    public string ShortName => Name.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? Path.GetFileName(Name) : Name.ToLowerInvariant();

    /// <summary>MNIST: the side the digits are brought to; null keeps 28.</summary>
    public int? ImageSize { get; init; }

    /// <summary>MNIST: how digits are brought to <see cref="ImageSize"/>.</summary>
    public ImageFit Fit { get; init; } = ImageFit.Pad;

    /// <summary>A .npy dataset's class labels, or null.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Toy sets: the number of points.</summary>
    public int ToyCount { get; init; } = 100_000;

    /// <summary>Toy sets: the seed the points are drawn with.</summary>
    public long ToySeed { get; init; }

    /// <summary>Loads the dataset (fetching MNIST on first use).</summary>
    /// <exception cref="Runtime.DiffusionException">The dataset is unknown, missing or malformed.</exception>
    public Dataset Load() => DatasetFactory.Create(Name, new DatasetOptions
    {
        ToyCount = ToyCount,
        Seed = ToySeed,
        LabelsPath = LabelsPath,
        Mnist = new MnistOptions { ImageSize = ImageSize ?? MnistDataset.NativeSize, Fit = Fit },
    });
}
