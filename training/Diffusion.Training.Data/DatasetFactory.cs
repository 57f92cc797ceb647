using Diffusion.Training.Data.Files;
using Diffusion.Training.Data.Mnist;
using Diffusion.Training.Data.Toy;

namespace Diffusion.Training.Data;

/// <summary>
/// Creates a dataset from its name, as given on a command line: <c>mnist</c>, <c>ring</c>,
/// <c>moons</c>, <c>swissroll</c>, <c>checkerboard</c>, or the path of a .npy file.
/// Toy distributions take their default parameters.
/// </summary>
public static class DatasetFactory
{
    /// <summary>The built-in dataset names (besides a .npy path).</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "ring", "moons", "swissroll", "checkerboard"];

    /// <summary>Creates the dataset <paramref name="name"/> (case-insensitive; a path ending in .npy loads that file).</summary>
    /// <exception cref="DatasetException">The name is unknown, or the dataset cannot be loaded; the message lists the choices or says how to fix it.</exception>
    public static Dataset Create(string name, DatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        options ??= new DatasetOptions();
        if (name.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            return NpyDataset.Load(name, options.LabelsPath);
        }

        return name.ToLowerInvariant() switch
        {
            "mnist" => MnistDataset.Load(options.Mnist),
            _ => Toy(name)?.Generate(options.ToyCount, options.Seed)
                ?? throw new DatasetException($"Unknown dataset '{name}'; choose one of {string.Join(", ", Names)}, or the path of a .npy file."),
        };
    }

    /// <summary>The toy distribution <paramref name="name"/> with its default parameters, or null if there is none of that name.</summary>
    public static ToyDistribution? Toy(string name) => name.ToLowerInvariant() switch
    {
        "ring" => new RingOfGaussians(),
        "moons" => new TwoMoons(),
        "swissroll" => new SwissRoll(),
        "checkerboard" => new Checkerboard(),
        _ => null,
    };
}
