namespace Diffusion.Onnx.Schedulers;

/// <summary>
/// A model's training noise process and what its <c>timestep</c> input holds. Only the
/// fields of the chosen <see cref="Kind"/> matter: discrete uses T and the betas, VP and
/// sub-VP use beta_min/beta_max, VE uses sigma_min/sigma_max.
/// </summary>
public sealed record NoiseScheduleOptions
{
    /// <summary>The noise process; discrete VP unless set.</summary>
    public NoiseScheduleKind Kind { get; init; } = NoiseScheduleKind.Discrete;

    /// <summary>Discrete: T, the number of training steps.</summary>
    public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary>Discrete: how the betas are laid out.</summary>
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;

    /// <summary>Discrete: the first beta (linear, scaled_linear).</summary>
    public double BetaStart { get; init; } = 1e-4;

    /// <summary>Discrete: the last beta (linear, scaled_linear).</summary>
    public double BetaEnd { get; init; } = 0.02;

    /// <summary>Discrete: explicit betas (T of them), overriding <see cref="BetaSchedule"/>.</summary>
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary>VP and sub-VP: beta(0).</summary>
    public double BetaMin { get; init; } = 0.1;

    /// <summary>VP and sub-VP: beta(1).</summary>
    public double BetaMax { get; init; } = 20;

    /// <summary>VE: the smallest noise level, written to the config.</summary>
    public double SigmaMin { get; init; } = 0.01;

    /// <summary>VE: the largest noise level, written to the config (sampling starts there).</summary>
    public double SigmaMax { get; init; } = 50;

    /// <summary>
    /// What the timestep input holds; null picks the schedule's natural input: <c>index</c> for
    /// discrete, <c>t</c> for VP and sub-VP, <c>sigma</c> for VE.
    /// </summary>
    public TimestepInput? TimestepInput { get; init; }

    /// <summary>The model receives the timestep multiplied by this (e.g. 999 for score_sde's VP models); 1 unless set.</summary>
    public double TimestepScale { get; init; } = 1;

    /// <summary>A discrete schedule with diffusers' betas.</summary>
    public static NoiseScheduleOptions Discrete(BetaSchedule betas = BetaSchedule.Linear, int numTrainTimesteps = 1000,
        double betaStart = 1e-4, double betaEnd = 0.02) =>
        new() { Kind = NoiseScheduleKind.Discrete, BetaSchedule = betas, NumTrainTimesteps = numTrainTimesteps, BetaStart = betaStart, BetaEnd = betaEnd };

    /// <summary>The continuous VP SDE.</summary>
    public static NoiseScheduleOptions Vp(double betaMin = 0.1, double betaMax = 20) =>
        new() { Kind = NoiseScheduleKind.Vp, BetaMin = betaMin, BetaMax = betaMax };

    /// <summary>The continuous sub-VP SDE.</summary>
    public static NoiseScheduleOptions SubVp(double betaMin = 0.1, double betaMax = 20) =>
        new() { Kind = NoiseScheduleKind.SubVp, BetaMin = betaMin, BetaMax = betaMax };

    /// <summary>The VE SDE, its timestep input holding sigma (or log sigma).</summary>
    public static NoiseScheduleOptions Ve(double sigmaMin = 0.01, double sigmaMax = 50, bool logSigmaInput = false) =>
        new()
        {
            Kind = NoiseScheduleKind.Ve, SigmaMin = sigmaMin, SigmaMax = sigmaMax,
            TimestepInput = logSigmaInput ? Schedulers.TimestepInput.LogSigma : Schedulers.TimestepInput.Sigma,
        };

    /// <summary>The timestep input in effect: <see cref="TimestepInput"/>, or the schedule's natural one.</summary>
    public TimestepInput EffectiveTimestepInput => TimestepInput ?? Kind switch
    {
        NoiseScheduleKind.Discrete => Schedulers.TimestepInput.Index,
        NoiseScheduleKind.Ve => Schedulers.TimestepInput.Sigma,
        _ => Schedulers.TimestepInput.T,
    };

    /// <summary>Checks the fields of <see cref="Kind"/> are usable.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names it and its valid range.</exception>
    public void Validate()
    {
        var input = EffectiveTimestepInput;
        if (!(TimestepScale > 0 && double.IsFinite(TimestepScale)))
            throw new ArgumentException($"timestep_scale is {TimestepScale}: it must be a positive number (1 when the model takes the time itself).");
        switch (Kind)
        {
            case NoiseScheduleKind.Discrete:
                if (NumTrainTimesteps < 2)
                    throw new ArgumentException($"num_train_timesteps is {NumTrainTimesteps}: a discrete schedule needs at least 2 steps.");
                if (input != Schedulers.TimestepInput.Index)
                    throw new ArgumentException($"timestep_input '{input.ToConfigName()}' does not fit a discrete schedule: use 'index' (the training step).");
                if (TrainedBetas is { } trained && trained.Count != NumTrainTimesteps)
                    throw new ArgumentException($"trained_betas has {trained.Count} values but num_train_timesteps is {NumTrainTimesteps}: give one beta per step.");
                if (TrainedBetas is not null && TrainedBetas.Any(b => !(b > 0 && b < 1)))
                    throw new ArgumentException("trained_betas holds a value outside (0, 1): every beta must satisfy 0 < beta < 1.");
                if (TrainedBetas is null && BetaSchedule != BetaSchedule.SquaredCosCapV2 && !(BetaStart > 0 && BetaEnd < 1 && BetaStart <= BetaEnd))
                    throw new ArgumentException($"beta_start {BetaStart} and beta_end {BetaEnd} are invalid: they need 0 < beta_start <= beta_end < 1.");
                break;
            case NoiseScheduleKind.Vp or NoiseScheduleKind.SubVp:
                if (input != Schedulers.TimestepInput.T)
                    throw new ArgumentException($"timestep_input '{input.ToConfigName()}' does not fit a {Kind.ToConfigName()} schedule: use 't' (time in [0, 1]).");
                if (!(BetaMin >= 0 && BetaMax > BetaMin && double.IsFinite(BetaMax)))
                    throw new ArgumentException($"beta_min {BetaMin} and beta_max {BetaMax} are invalid: they need 0 <= beta_min < beta_max.");
                break;
            case NoiseScheduleKind.Ve:
                if (input is not (Schedulers.TimestepInput.Sigma or Schedulers.TimestepInput.LogSigma))
                    throw new ArgumentException($"timestep_input '{input.ToConfigName()}' does not fit a ve schedule: use 'sigma' or 'log_sigma'.");
                if (!(SigmaMin > 0 && SigmaMax > SigmaMin && double.IsFinite(SigmaMax)))
                    throw new ArgumentException($"sigma_min {SigmaMin} and sigma_max {SigmaMax} are invalid: they need 0 < sigma_min < sigma_max.");
                break;
            default:
                throw new ArgumentException($"Unknown noise schedule {Kind}: use discrete, vp, subvp or ve.");
        }
    }

    /// <summary>
    /// The scheduler config describing this schedule for a model predicting
    /// <paramref name="prediction"/>: <paramref name="hints"/> (inference choices such as
    /// timestep_spacing or the data range) with the schedule's own keys set over them.
    /// </summary>
    public SchedulerConfig ToSchedulerConfig(PredictionType prediction, SchedulerConfig? hints = null)
    {
        Validate();
        var config = (hints ?? new SchedulerConfig()) with
        {
            PredictionType = prediction.ToConfigName(),
            NoiseSchedule = Kind.ToConfigName(),
            TimestepInput = EffectiveTimestepInput.ToConfigName(),
            TimestepScale = TimestepScale,
        };
        return Kind switch
        {
            NoiseScheduleKind.Discrete => config with
            {
                NumTrainTimesteps = NumTrainTimesteps,
                BetaStart = BetaStart,
                BetaEnd = BetaEnd,
                BetaSchedule = BetaSchedule.ToConfigName(),
                TrainedBetas = TrainedBetas?.ToArray(),
            },
            NoiseScheduleKind.Vp or NoiseScheduleKind.SubVp => config with { BetaMin = BetaMin, BetaMax = BetaMax },
            _ => config with { SigmaMin = SigmaMin, SigmaMax = SigmaMax },
        };
    }
}
