using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;
using Diffusion.Torch;

namespace Diffusion.Training.Objectives;

/// <summary>
/// Continuous-time denoising score matching of score SDEs (Song et al. 2021, eq. 7): t ~ U[eps, 1],
/// the VP, sub-VP (the runtime's <see cref="Runtime.Schedules.VpSchedule"/>) or VE
/// (<see cref="Runtime.Schedules.VeSchedule"/>) perturbation kernel, lambda(t) = sigma(t)^2.
/// </summary>
/// <remarks>
/// Parameterisation: for VP and sub-VP the network predicts epsilon = -sigma(t) * score (conditioned
/// on t, scaled to [0, 999]); the sigma^2-weighted score loss is then exactly the epsilon loss.
/// For VE it predicts the score itself, with lambda = sigma^2 (conditioned on log sigma).
/// Both are reduced as 1/2 the squared norm per sample, averaged over the batch.
/// </remarks>
public sealed class ScoreSdeObjective : DenoisingObjective
{
    /// <summary>The objective for a vp, subvp or ve config (as stored in a checkpoint).</summary>
    /// <param name="config">The vp, subvp or ve process.</param>
    /// <param name="recipe">Which levels are drawn and how errors are weighted; null for the SDE's own (t uniform in [eps, 1], lambda = sigma^2).</param>
    public ScoreSdeObjective(SchedulerConfig config, NoiseLevelRecipe? recipe = null)
        : base(Require(config, "score SDE", "vp", "subvp", "ve"), LossReduction.HalfSumPerSample, recipe)
    {
        Eps = Schedule.MinTime;
    }

    /// <summary>Builds the objective for the process <paramref name="process"/> (vp, subvp or ve).</summary>
    /// <param name="process">vp, subvp or ve.</param>
    /// <param name="betaMin">beta(0) of VP and sub-VP.</param>
    /// <param name="betaMax">beta(1) of VP and sub-VP.</param>
    /// <param name="sigmaMin">sigma(0) of VE.</param>
    /// <param name="sigmaMax">sigma(1) of VE.</param>
    /// <param name="eps">The smallest training time; null for 1e-3 (VP, sub-VP) or 1e-5 (VE), as Song et al. 2021.</param>
    /// <param name="timestepInput">Null for t (VP, sub-VP) or log_sigma (VE).</param>
    /// <param name="prediction">Null for epsilon (VP, sub-VP) or score (VE).</param>
    /// <param name="recipe">Which levels are drawn and how errors are weighted; null for the SDE's own.</param>
    public static ScoreSdeObjective Create(string process, double betaMin = 0.1, double betaMax = 20, double sigmaMin = 0.01, double sigmaMax = 50,
        double? eps = null, TimestepInput? timestepInput = null, PredictionType? prediction = null, NoiseLevelRecipe? recipe = null)
    {
        bool ve = process == "ve";
        if (process is not ("vp" or "subvp" or "ve")) throw new DiffusionException($"unknown score SDE '{process}': use vp, subvp or ve.");
        return new(TimestepScaling.Apply(new SchedulerConfig
        {
            NoiseSchedule = process,
            BetaMin = betaMin,
            BetaMax = betaMax,
            SigmaMin = sigmaMin,
            SigmaMax = sigmaMax,
            SamplingEps = eps ?? (ve ? 1e-5 : 1e-3),
            PredictionType = prediction ?? (ve ? PredictionType.Score : PredictionType.Epsilon),
            TimestepSpacing = TimestepSpacing.Uniform,
            TimestepInput = timestepInput ?? (ve ? TimestepInput.LogSigma : TimestepInput.Time),
        }), recipe);
    }

    /// <inheritdoc />
    public override string Name => SchedulerConfig.NoiseSchedule;

    /// <summary>The smallest training time.</summary>
    public double Eps { get; }

    /// <inheritdoc />
    protected override double[] DrawTimes(int count, Generator generator)
    {
        using var u = torch.rand([count], generator, ScalarType.Float64);
        return Array.ConvertAll(u.ToArray<double>(), v => Eps + (1 - Eps) * v);
    }
}
