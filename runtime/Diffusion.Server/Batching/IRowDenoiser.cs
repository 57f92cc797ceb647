using Diffusion.Runtime.Schedules;

namespace Diffusion.Server.Batching;

/// <summary>
/// A model evaluated on rows that each sit at their own point of the noise process: the entry
/// point step-level batching needs, since requests at different steps share one call. A diffusion
/// network takes its <c>timestep</c> per sample (<c>[N]</c>), so this is still one model call.
/// </summary>
public interface IRowDenoiser
{
    /// <summary>Most rows one call takes (a model with a fixed batch size); null when unbounded.</summary>
    int? MaxRows { get; }

    /// <summary>True when the model has a <c>class_labels</c> input, so every row carries a label.</summary>
    bool TakesClassLabels { get; }

    /// <summary>Writes the x0 estimate of every row of <paramref name="x"/> into <paramref name="denoised"/>.</summary>
    /// <param name="x">Rows of noisy samples, <c>points.Length</c> x sample size, flattened.</param>
    /// <param name="points">Each row's point of the noise process.</param>
    /// <param name="labels">Each row's class label when <see cref="TakesClassLabels"/>; empty otherwise.</param>
    /// <param name="denoised">Destination, the length of <paramref name="x"/>.</param>
    /// <returns>The number of model calls made: 1, or more when the model takes one timestep for the whole batch and the rows sit at different points.</returns>
    int Denoise(ReadOnlySpan<float> x, ReadOnlySpan<TimePoint> points, ReadOnlySpan<long> labels, Span<float> denoised);
}
