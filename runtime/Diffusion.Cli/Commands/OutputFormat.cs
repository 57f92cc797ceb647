using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Imaging;
using Diffusion.Runtime.Models;

namespace Diffusion.Cli.Commands;

/// <summary>Writes samples in the format the output file's extension names.</summary>
internal sealed class OutputFormat
{
    private readonly bool _png;

    private OutputFormat(bool png) => _png = png;

    /// <summary>Checks the extension and that the folder exists, before any sampling is done.</summary>
    public static OutputFormat FromPath(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".png" or ".npy"))
            throw new DiffusionException($"output {path} must end in .png or .npy.");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
            throw new DiffusionException($"cannot write {path}: folder {folder} does not exist; create it or choose another --out.");
        return new OutputFormat(extension == ".png");
    }

    /// <summary>Writes the samples; a PNG records <paramref name="text"/> (model, sampler, steps, seed) in its tEXt chunks.</summary>
    public void Write(string path, GeneratedSamples samples, SchedulerConfig config, IReadOnlyDictionary<string, string> text)
    {
        if (!_png)
        {
            NpyFile.Write(path, samples.Data, samples.TensorShape);
            return;
        }
        try
        {
            SamplePictures.WritePng(path, samples, config, text);
        }
        catch (ArgumentException e)
        {
            throw new DiffusionException(e.Message.Split(" (Parameter")[0]);
        }
    }
}
