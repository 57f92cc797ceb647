using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Schedules;
using Diffusion.Training.Data;

namespace Diffusion.Training.Evaluation;

/// <summary>
/// A model's denoising error on real data across noise levels: each image x0 is noised to
/// x = alpha x0 + sigma eps at a level, the model estimates x0, and the squared error is averaged.
/// Levels are given as the noise-to-signal ratio sigma / alpha, so VP and VE models compare at
/// equal difficulty. This is the training loss seen level by level, in one unit (x0-MSE) for
/// every parameterisation; it shows where a model is weak, which a sample-quality score cannot.
/// </summary>
/// <remarks>
/// For data x0 ~ N(m, v I) the ideal error at ratio s is v s^2 / (v + s^2) per value (the
/// posterior variance), which falls to 0 for small s and rises to v, the error of the mean
/// image, for large s. A learned denoiser above the mean image's error at high noise is worse
/// than ignoring its input there.
/// </remarks>
public static class DenoisingErrorProfile
{
    /// <summary>The levels measured by default: sigma / alpha from 0.01 to 100; those outside a model's range are skipped.</summary>
    public static IReadOnlyList<double> DefaultLevels { get; } = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

    private const int MaxBatch = 64;

    /// <summary>Measures <paramref name="model"/> on <paramref name="count"/> images of <paramref name="data"/>, spread evenly over it.</summary>
    /// <param name="model">The model (ONNX or libtorch); class-conditional models are given each image's label.</param>
    /// <param name="data">Real data of the model's sample shape.</param>
    /// <param name="count">Images to use, 1 to the dataset's size.</param>
    /// <param name="seed">Seeds the noise; image i draws from stream (seed, i) at every level.</param>
    /// <param name="levels">Noise-to-signal ratios; null for <see cref="DefaultLevels"/>.</param>
    /// <param name="cancellation">Stops between model calls.</param>
    /// <returns>One row per level inside the model's range, in the order given. A discrete model is measured at the nearest training step.</returns>
    public static IReadOnlyList<NoiseLevelError> Measure(IDiffusionModel model, Dataset data, int count, ulong seed = 0,
        IReadOnlyList<double>? levels = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        int size = model.SampleShape.Size;
        if (data.SampleSize != size)
            throw new DiffusionException($"dataset '{data.Name}' holds samples of {data.SampleSize} values, but the model takes {model.SampleShape} ({size}): use the dataset the model was trained on.");
        if (count < 1 || count > data.Count)
            throw new DiffusionException($"count must be between 1 and the dataset's {data.Count} images, got {count}.");
        bool conditional = model.Config.NumClasses > 0;
        if (conditional && data.Labels is null)
            throw new DiffusionException($"the model is class-conditional, but dataset '{data.Name}' has no labels: give one with labels.");

        var x0 = new float[count * size];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            int index = (int)((long)i * data.Count / count);
            data.Sample(index).CopyTo(x0.AsSpan(i * size, size));
            if (conditional) labels[i] = data.Labels![index];
        }
        double meanImageMse = SpreadAroundMean(x0, count, size);

        var schedule = model.Schedule;
        var points = new List<(TimePoint Point, double Time)>();
        foreach (double level in levels ?? DefaultLevels)
        {
            if (!(level > 0)) throw new DiffusionException($"noise levels are ratios sigma / alpha above 0, got {level}.");
            // A level within 0.1% of the range's ends (e.g. VE's sigma_min, which t = eps misses slightly) is measured at the end.
            double low = schedule.MinScaledSigma, high = schedule.MaxScaledSigma;
            if (level < low * (1 - 1e-3) || level > high * (1 + 1e-3)) continue;
            double time = schedule.TimeOfScaledSigma(Math.Clamp(level, low, high));
            if (schedule.IsDiscrete) time = Math.Round(time);
            points.Add((schedule.At(time), time));
        }

        // Batch by batch, one denoiser and one draw of noise serve every level.
        var squaredErrors = new double[points.Count];
        for (int start = 0; start < count; start += MaxBatch)
        {
            int batch = Math.Min(MaxBatch, count - start);
            var noise = new float[batch * size];
            new BatchNoise(seed, start, batch, size).Fill(noise);
            ReadOnlyMemory<long>? batchLabels = null;
            if (conditional) batchLabels = labels.AsMemory(start, batch);
            using var denoiser = model.CreateDenoiser(batch, batchLabels, cancellation);
            for (int k = 0; k < points.Count; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                squaredErrors[k] += SquaredError(denoiser, x0.AsSpan(start * size, batch * size), noise, points[k].Point);
            }
        }
        return [.. points.Select((p, k) => new NoiseLevelError(p.Point.ScaledSigma, p.Time, squaredErrors[k] / x0.Length, meanImageMse))];
    }

    /// <summary>The summed squared error of the denoiser's x0 estimate for <paramref name="clean"/> noised to <paramref name="point"/>.</summary>
    private static double SquaredError(IDenoiser denoiser, ReadOnlySpan<float> clean, ReadOnlySpan<float> noise, TimePoint point)
    {
        var x = new float[clean.Length];
        var denoised = new float[clean.Length];
        for (int j = 0; j < x.Length; j++) x[j] = (float)(point.Alpha * clean[j] + point.Sigma * noise[j]);
        denoiser.Denoise(x, point, denoised);
        double sum = 0;
        for (int j = 0; j < x.Length; j++)
        {
            if (!float.IsFinite(denoised[j])) throw new DiffusionException($"the model's x0 estimate holds {denoised[j]} at noise level {point.ScaledSigma:G4}: the model is broken at that level.");
            double error = denoised[j] - clean[j];
            sum += error * error;
        }
        return sum;
    }

    /// <summary>The mean squared distance of the values from their per-position mean over the images.</summary>
    private static double SpreadAroundMean(float[] images, int count, int size)
    {
        var mean = new double[size];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < size; j++) mean[j] += images[i * size + j];
        for (int j = 0; j < size; j++) mean[j] /= count;
        double sum = 0;
        for (int i = 0; i < count; i++)
            for (int j = 0; j < size; j++)
            {
                double d = images[i * size + j] - mean[j];
                sum += d * d;
            }
        return sum / images.Length;
    }
}
