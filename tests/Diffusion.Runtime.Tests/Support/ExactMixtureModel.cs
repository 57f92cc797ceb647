using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Support;

/// <summary>
/// A perfectly trained model of a Gaussian mixture: its denoiser is the exact posterior mean
/// E[x0 | x_t], in double precision. Samplers run on it must reproduce the mixture.
/// </summary>
internal sealed class ExactMixtureModel(GaussianMixture mixture, string configJson) : IDiffusionModel
{
    public GaussianMixture Mixture { get; } = mixture;

    public SchedulerConfig Config { get; } = SchedulerConfig.Parse(configJson, "test config");

    public NoiseSchedule Schedule => field ??= Config.CreateSchedule();

    public SampleShape SampleShape => new(Mixture.Dimension, 1, 1);

    /// <summary>Whether paths are rounded to whole times, as for a model with an integer timestep input.</summary>
    public bool IntegerTimesteps { get; init; }

    /// <summary>Called before each evaluation with its time point; lets a test break the model.</summary>
    public Func<TimePoint, bool>? ProduceNaN { get; init; }

    /// <summary>
    /// Label k conditions on component k; label K (the component count) is the null label, the
    /// whole mixture. So a guided run has an exact answer too.
    /// </summary>
    public IDenoiser CreateDenoiser(int batchSize, ReadOnlyMemory<long>? classLabels, CancellationToken cancellation) =>
        new Denoiser(this, classLabels?.ToArray());

    /// <summary>The same mixture as a class-conditional model: one class per component, null label K.</summary>
    public static ExactMixtureModel Conditional(GaussianMixture mixture, string configKey) =>
        new(mixture, Configs[configKey].TrimEnd().TrimEnd('}') + $", \"num_classes\": {mixture.ComponentCount}, \"null_class_label\": {mixture.ComponentCount} }}");

    /// <summary>Configs for the four noise processes.</summary>
    public static readonly IReadOnlyDictionary<string, string> Configs = new Dictionary<string, string>
    {
        ["discrete"] = """{ "num_train_timesteps": 1000, "beta_schedule": "linear", "clip_sample": false }""",
        ["vp"] = """{ "noise_schedule": "vp" }""",
        ["subvp"] = """{ "noise_schedule": "subvp" }""",
        ["ve"] = """{ "noise_schedule": "ve", "sigma_min": 0.01, "sigma_max": 20 }""",
    };

    private sealed class Denoiser(ExactMixtureModel model, long[]? labels) : IDenoiser
    {
        public void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised)
        {
            int d = model.Mixture.Dimension;
            var xi = new double[d];
            for (int n = 0; n < x.Length / d; n++)
            {
                for (int i = 0; i < d; i++) xi[i] = x[n * d + i];
                var mixture = labels is null || labels[n] == model.Mixture.ComponentCount ? model.Mixture : model.Mixture.Component((int)labels[n]);
                var x0 = mixture.Denoised(xi, point.Alpha, point.Sigma);
                for (int i = 0; i < d; i++) denoised[n * d + i] = (float)x0[i];
            }
            if (model.ProduceNaN?.Invoke(point) == true) denoised[0] = float.NaN;
        }

        public void Dispose() { }
    }
}
