namespace Diffusion.Onnx.Schedulers;

/// <summary>The forward noise process x_t = alpha(t) x_0 + sigma(t) eps a model was trained on.</summary>
public enum NoiseScheduleKind
{
    /// <summary>Discrete-time variance preserving (DDPM, Ho et al. 2020): betas over T training steps. Config name <c>discrete</c>.</summary>
    Discrete,
    /// <summary>Continuous variance preserving SDE (Song et al. 2021), t in [0, 1]. Config name <c>vp</c>.</summary>
    Vp,
    /// <summary>Continuous sub-VP SDE (Song et al. 2021): VP's alpha with sigma = 1 - alpha^2. Config name <c>subvp</c>.</summary>
    SubVp,
    /// <summary>Variance exploding (NCSN, Song &amp; Ermon 2019): alpha = 1, geometric sigmas. Config name <c>ve</c>.</summary>
    Ve,
}

/// <summary>How a discrete schedule's betas are laid out over the T training steps (diffusers' <c>beta_schedule</c>).</summary>
public enum BetaSchedule
{
    /// <summary><c>linear</c>: evenly spaced from beta_start to beta_end.</summary>
    Linear,
    /// <summary><c>scaled_linear</c>: evenly spaced square roots, squared (Stable Diffusion).</summary>
    ScaledLinear,
    /// <summary><c>squaredcos_cap_v2</c>: Nichol &amp; Dhariwal's cosine schedule, betas capped at 0.999.</summary>
    SquaredCosCapV2,
}

/// <summary>What a model's <c>timestep</c> input holds (config key <c>timestep_input</c>).</summary>
public enum TimestepInput
{
    /// <summary><c>index</c>: the training step in [0, T-1] of a discrete schedule (fractional values interpolate).</summary>
    Index,
    /// <summary><c>t</c>: continuous time in [0, 1].</summary>
    T,
    /// <summary><c>sigma</c>: the noise level itself.</summary>
    Sigma,
    /// <summary><c>log_sigma</c>: the natural logarithm of the noise level.</summary>
    LogSigma,
}

/// <summary>What a model outputs (diffusers' <c>prediction_type</c>, plus <c>score</c>).</summary>
public enum PredictionType
{
    /// <summary><c>epsilon</c>: the noise, eps = -sigma * score.</summary>
    Epsilon,
    /// <summary><c>sample</c>: the clean sample x_0 = (x + sigma^2 score) / alpha.</summary>
    Sample,
    /// <summary><c>v_prediction</c>: v = alpha eps - sigma x_0 (Salimans &amp; Ho 2022).</summary>
    VPrediction,
    /// <summary><c>score</c>: the gradient of the log density of the noised data, grad log p_t(x).</summary>
    Score,
}

/// <summary>The config-file spellings of the schedule enums.</summary>
public static class ScheduleNames
{
    /// <summary><c>discrete</c>, <c>vp</c>, <c>subvp</c> or <c>ve</c>.</summary>
    public static string ToConfigName(this NoiseScheduleKind kind) => kind switch
    {
        NoiseScheduleKind.Discrete => "discrete",
        NoiseScheduleKind.Vp => "vp",
        NoiseScheduleKind.SubVp => "subvp",
        NoiseScheduleKind.Ve => "ve",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary><c>linear</c>, <c>scaled_linear</c> or <c>squaredcos_cap_v2</c>.</summary>
    public static string ToConfigName(this BetaSchedule schedule) => schedule switch
    {
        BetaSchedule.Linear => "linear",
        BetaSchedule.ScaledLinear => "scaled_linear",
        BetaSchedule.SquaredCosCapV2 => "squaredcos_cap_v2",
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null),
    };

    /// <summary><c>index</c>, <c>t</c>, <c>sigma</c> or <c>log_sigma</c>.</summary>
    public static string ToConfigName(this TimestepInput input) => input switch
    {
        TimestepInput.Index => "index",
        TimestepInput.T => "t",
        TimestepInput.Sigma => "sigma",
        TimestepInput.LogSigma => "log_sigma",
        _ => throw new ArgumentOutOfRangeException(nameof(input), input, null),
    };

    /// <summary><c>epsilon</c>, <c>sample</c>, <c>v_prediction</c> or <c>score</c>.</summary>
    public static string ToConfigName(this PredictionType prediction) => prediction switch
    {
        PredictionType.Epsilon => "epsilon",
        PredictionType.Sample => "sample",
        PredictionType.VPrediction => "v_prediction",
        PredictionType.Score => "score",
        _ => throw new ArgumentOutOfRangeException(nameof(prediction), prediction, null),
    };
}
