using Diffusion.Runtime.Generation;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Imaging;
using Diffusion.Runtime.Models;

namespace Diffusion.Training.Training;

/// <summary>
/// Draws samples of a network in training with the runtime's own <see cref="Generator"/> and
/// writes them as a PNG: a scatter plot for 2-D points, an image grid for 1- or 3-channel images
/// (one row per class for a class-conditional model).
/// </summary>
public static class Preview
{
    /// <summary>The sampler that suits an objective: DDIM for DDPM, annealed Langevin for NCSN, Heun's
    /// probability-flow ODE solver for score SDEs.</summary>
    public static string DefaultSampler(string objective) => objective switch
    {
        "ddpm" => "ddim",
        "ncsn" => "langevin",
        _ => "heun",
    };

    /// <summary>Whether samples shaped <paramref name="shape"/> can be drawn as a picture.</summary>
    public static bool CanDraw(SampleShape shape) =>
        IsPoints(shape) || shape.Channels is 1 or 3 && shape.Height > 1;

    /// <summary>Generates about <paramref name="count"/> samples (the same number per class for a class-conditional model).</summary>
    public static GeneratedSamples Sample(TorchDiffusionModel model, int count, string sampler, int steps, ulong seed, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = new GenerationOptions { Sampler = sampler, Steps = steps, Count = count, Seed = seed, BatchSize = Math.Min(count, 256) };
        int classes = model.Config.NumClasses;
        if (classes == 0) return Generator.Generate(model, options, cancellation: cancellation);
        // One row per class: perClass samples of class 0, then of class 1, and so on, in one run of batches.
        int perClass = Math.Max(1, (count + classes - 1) / classes);
        int[] labels = [.. Enumerable.Range(0, classes).SelectMany(c => Enumerable.Repeat(c, perClass))];
        return Generator.Generate(model, options with { Count = labels.Length, BatchSize = Math.Min(labels.Length, 256), ClassLabels = labels }, cancellation: cancellation);
    }

    /// <summary>Writes <paramref name="samples"/> to <paramref name="path"/> (PNG), atomically.</summary>
    /// <returns>False when the samples are neither 2-D points nor 1- or 3-channel images.</returns>
    public static bool Write(string path, GeneratedSamples samples, SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(config);
        float min = (float)config.DataMin, max = (float)config.DataMax;
        if (IsPoints(samples.Shape))
        {
            // A margin of a tenth of the range on each side, so points at the edge of the data stay in view.
            float margin = 0.1f * (max - min);
            ScatterPlot.WritePng(path, samples.Data, [samples.Count, 2], new ScatterPlotOptions { Min = min - margin, Max = max + margin });
            return true;
        }
        if (!CanDraw(samples.Shape)) return false;
        int? columns = config.NumClasses > 0 ? samples.Count / config.NumClasses : null;
        int scale = Math.Max(1, 64 / samples.Shape.Height);
        ImageGrid.WritePng(path, samples.Data, samples.TensorShape, new ImageGridOptions { Min = min, Max = max, Columns = columns, Scale = scale });
        return true;
    }

    private static bool IsPoints(SampleShape shape) => shape is { Channels: 2, Height: 1, Width: 1 };
}
