using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Training.Tests.Evaluation;

/// <summary>
/// The exact denoiser of data x0 ~ N(mean[label], variance I): for x = alpha x0 + sigma eps and
/// s = sigma / alpha, E[x0 | x] = m + v / (v + s^2) (x / alpha - m). Class-conditional when it has
/// more than one mean (the label picks it).
/// </summary>
internal sealed class GaussianDataModel(SchedulerConfig config, int size, double variance, params double[] means) : IDiffusionModel
{
    public SchedulerConfig Config { get; } = config with { NumClasses = means.Length > 1 ? means.Length : 0 };

    public NoiseSchedule Schedule { get; } = config.CreateSchedule();

    public SampleShape SampleShape { get; } = new(size, 1, 1);

    public bool IntegerTimesteps => false;

    public double Variance => variance;

    public IReadOnlyList<double> Means => means;

    public IDenoiser CreateDenoiser(int batchSize, ReadOnlyMemory<long>? classLabels, CancellationToken cancellation)
    {
        if ((classLabels is null) != (means.Length == 1)) throw new ArgumentException("labels given to an unconditional model, or missing for a conditional one");
        return new Exact(this, classLabels?.ToArray());
    }

    /// <summary>The ideal error per value at ratio s: the posterior variance v s^2 / (v + s^2).</summary>
    public double IdealError(double scaledSigma) => variance * scaledSigma * scaledSigma / (variance + scaledSigma * scaledSigma);

    private sealed class Exact(GaussianDataModel model, long[]? labels) : IDenoiser
    {
        public void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised)
        {
            double s2 = point.ScaledSigma * point.ScaledSigma, shrink = model.Variance / (model.Variance + s2);
            int size = model.SampleShape.Size;
            for (int i = 0; i < x.Length; i++)
            {
                double m = model.Means[labels is null ? 0 : (int)labels[i / size]];
                denoised[i] = (float)(m + shrink * (x[i] / point.Alpha - m));
            }
        }

        public void Dispose() { }
    }
}
