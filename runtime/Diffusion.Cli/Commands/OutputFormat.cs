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

    public void Write(string path, GeneratedSamples samples, SchedulerConfig config)
    {
        if (!_png)
        {
            NpyFile.Write(path, samples.Data, samples.TensorShape);
            return;
        }
        var shape = samples.Shape;
        float min = (float)config.DataMin, max = (float)config.DataMax;
        if (shape.Size == 2)
            ScatterPlot.WritePng(path, samples.Data, samples.TensorShape, new ScatterPlotOptions { Min = min, Max = max });
        else if (shape.Channels is 1 or 3)
            ImageGrid.WritePng(path, samples.Data, samples.TensorShape,
                new ImageGridOptions { Min = min, Max = max, Scale = Math.Max(1, 64 / Math.Max(shape.Height, shape.Width)) });
        else
            throw new DiffusionException($"samples of shape {shape} are neither images (1 or 3 channels) nor 2-D points: write them as .npy.");
    }
}
