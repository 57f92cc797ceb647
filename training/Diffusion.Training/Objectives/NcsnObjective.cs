using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;
using Diffusion.Torch;

namespace Diffusion.Training.Objectives;

/// <summary>
/// NCSN's denoising score matching (Song &amp; Ermon 2019, eq. 5-6): L noise levels in geometric
/// progression sigma_1 &gt; ... &gt; sigma_L, a level drawn uniformly per sample,
/// <c>x~ = x + sigma z</c>, the network conditioned on sigma and predicting the score, the loss
/// <c>1/2 E || sigma s(x~, sigma) + z ||^2</c> (lambda(sigma) = sigma^2).
/// </summary>
/// <remarks>
/// The levels are the runtime's variance-exploding schedule <c>sigma(t) = sigma_min (sigma_max/sigma_min)^t</c>
/// at t = i / (L - 1), i = 0..L-1, so the exported config (noise_schedule ve, sigma_min, sigma_max,
/// num_train_timesteps L, prediction_type score) describes exactly the trained levels.
/// </remarks>
public sealed class NcsnObjective : DenoisingObjective
{
    /// <summary>The objective for a ve config (as stored in a checkpoint); its levels are num_train_timesteps.</summary>
    /// <param name="config">The ve process of the levels.</param>
    /// <param name="recipe">Which levels are drawn and how errors are weighted; null for NCSN's own (uniform levels, lambda = sigma^2).</param>
    public NcsnObjective(SchedulerConfig config, NoiseLevelRecipe? recipe = null)
        : base(Require(config, "ncsn", "ve"), LossReduction.HalfSumPerSample, recipe)
    {
        trainingTimes = [.. Enumerable.Range(0, Levels).Select(i => (double)i / (Levels - 1))];
    }

    private readonly double[] trainingTimes;

    /// <inheritdoc />
    protected override IReadOnlyList<double> TrainingTimes => trainingTimes;

    /// <summary>Builds the objective from NCSN's settings.</summary>
    /// <param name="levels">L, the number of noise levels (at least 2).</param>
    /// <param name="sigmaMin">sigma_L, the smallest level.</param>
    /// <param name="sigmaMax">sigma_1, the largest level: about the largest distance between two data points (Song &amp; Ermon 2020, technique 1).</param>
    /// <param name="timestepInput">What the network is conditioned on: sigma or log_sigma (scaled by <see cref="TimestepScaling"/>), or t.</param>
    /// <param name="prediction">What the network predicts (the score by default).</param>
    /// <param name="recipe">Which levels are drawn and how errors are weighted; null for NCSN's own.</param>
    public static NcsnObjective Create(int levels = 10, double sigmaMin = 0.01, double sigmaMax = 1,
        TimestepInput timestepInput = TimestepInput.LogSigma, PredictionType prediction = PredictionType.Score, NoiseLevelRecipe? recipe = null) =>
        new(TimestepScaling.Apply(new SchedulerConfig
        {
            NoiseSchedule = "ve",
            NumTrainTimesteps = levels,
            SigmaMin = sigmaMin,
            SigmaMax = sigmaMax,
            SamplingEps = 1e-5,
            PredictionType = prediction,
            TimestepSpacing = TimestepSpacing.Uniform,
            TimestepInput = timestepInput,
        }), recipe);

    /// <inheritdoc />
    public override string Name => "ncsn";

    /// <summary>L, the number of noise levels.</summary>
    public int Levels => SchedulerConfig.NumTrainTimesteps;

    /// <inheritdoc />
    protected override double[] DrawTimes(int count, Generator generator)
    {
        using var levels = torch.randint(0, Levels, [count], generator);
        return Array.ConvertAll(levels.ToArray<long>(), i => (double)i / (Levels - 1));
    }
}
