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

    /// <summary>
    /// Checks, before any sampling is done, that the output can be written: the extension, the
    /// folder, and a trial of the very temporary file the final write will use (not a folder in
    /// the way, writable, a name the file system accepts). The trial leaves nothing behind.
    /// </summary>
    public static OutputFormat FromPath(string path, TextWriter? log = null)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".png" or ".npy"))
            throw new DiffusionException($"output {path} must end in .png or .npy.");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
            throw new DiffusionException($"cannot write {path}: folder {folder} does not exist; create it or choose another --out.");
        if (Directory.Exists(path))
            throw new DiffusionException($"cannot write {path}: it is a folder; give a file name with --out.");
        using (AtomicFile.Create(path, log is null ? null : log.WriteLine))
        {
            // Disposed without a commit: the trial file is removed, the target is untouched.
        }
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
