using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;
using Diffusion.Torch;

namespace Diffusion.Training.Objectives;

/// <summary>
/// DDPM (Ho et al. 2020, Algorithm 1): the discrete variance-preserving process of T betas,
/// t ~ U{0, ..., T-1}, <c>x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps</c> (eq. 4), the
/// network conditioned on the index t, the squared error averaged over elements (eq. 14 for epsilon).
/// </summary>
public sealed class DdpmObjective : DenoisingObjective
{
    /// <summary>The objective for a discrete config (as stored in a checkpoint).</summary>
    /// <param name="config">The discrete process.</param>
    /// <param name="recipe">Which levels are drawn and how errors are weighted; null for DDPM's own (uniform indices, unit weights).</param>
    public DdpmObjective(SchedulerConfig config, NoiseLevelRecipe? recipe = null)
        : base(Require(config, "ddpm", "discrete"), LossReduction.MeanOverElements, recipe)
    {
        trainingTimes = [.. Enumerable.Range(0, SchedulerConfig.NumTrainTimesteps).Select(i => (double)i)];
    }

    private readonly double[] trainingTimes;

    /// <inheritdoc />
    protected override IReadOnlyList<double> TrainingTimes => trainingTimes;

    /// <summary>Builds the objective from DDPM's settings.</summary>
    /// <param name="timesteps">T, the number of training steps.</param>
    /// <param name="betaSchedule">linear, scaled_linear or squaredcos_cap_v2 (the runtime's <see cref="Runtime.Schedules.BetaSchedule"/>).</param>
    /// <param name="betaStart">beta_1 of the linear schedules.</param>
    /// <param name="betaEnd">beta_T of the linear schedules.</param>
    /// <param name="prediction">What the network predicts.</param>
    /// <param name="timestepInput">What the network is conditioned on: the index t by default.</param>
    /// <param name="recipe">Which levels are drawn and how errors are weighted; null for DDPM's own.</param>
    public static DdpmObjective Create(int timesteps = 1000, string betaSchedule = "linear", double betaStart = 1e-4, double betaEnd = 0.02,
        PredictionType prediction = PredictionType.Epsilon, TimestepInput timestepInput = TimestepInput.Index, NoiseLevelRecipe? recipe = null) =>
        new(TimestepScaling.Apply(new SchedulerConfig
        {
            // No diffusers _class_name: a model it exports samples with the runtime's default sampler
            // unless asked for another (DDPMScheduler would make DDPM the default).
            NoiseSchedule = "discrete",
            NumTrainTimesteps = timesteps,
            BetaSchedule = betaSchedule,
            BetaStart = betaStart,
            BetaEnd = betaEnd,
            PredictionType = prediction,
            TimestepSpacing = TimestepSpacing.Leading,
            TimestepInput = timestepInput,
        }), recipe);

    /// <inheritdoc />
    public override string Name => "ddpm";

    /// <inheritdoc />
    protected override double[] DrawTimes(int count, Generator generator)
    {
        using var indices = torch.randint(0, SchedulerConfig.NumTrainTimesteps, [count], generator);
        return Array.ConvertAll(indices.ToArray<long>(), i => (double)i);
    }
}
