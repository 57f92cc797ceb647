using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Onnx.Graphs;

/// <summary>
/// The part of a graph that turns the <c>timestep</c> input into the noise level (alpha, sigma)
/// of x_t = alpha x_0 + sigma eps, in float32, shaped like the timestep. The schedule is the
/// runtime's (<see cref="SchedulerConfig"/>); only its expression as ONNX nodes lives here.
/// </summary>
public static class NoiseLevelGraph
{
    /// <summary>
    /// The timestep inputs a graph of each noise schedule understands: the training index of a
    /// discrete schedule, t of a continuous VP or sub-VP one, sigma or log sigma of a VE one.
    /// </summary>
    public static IReadOnlyList<TimestepInput> InputsFor(string noiseSchedule) => noiseSchedule switch
    {
        "discrete" => [TimestepInput.Index],
        "vp" or "subvp" => [TimestepInput.Time],
        "ve" => [TimestepInput.Sigma, TimestepInput.LogSigma],
        _ => [],
    };

    /// <summary>Adds the nodes and returns the names of alpha and sigma.</summary>
    public static (string Alpha, string Sigma) Build(OnnxModelBuilder g, string timestep, ElementType timestepType, SchedulerConfig config)
    {
        if (timestepType == ElementType.Int64)
            return DiscreteAtIndex(g, timestep, AlphaBars(config));

        var t = timestepType == ElementType.Float32 ? timestep : g.Cast(timestep, ElementType.Float32);
        if (config.TimestepScale != 1)
            t = g.Div(t, g.Constant((float)config.TimestepScale));
        return config.NoiseSchedule switch
        {
            "discrete" => DiscreteInterpolated(g, t, AlphaBars(config)),
            "vp" or "subvp" => Continuous(g, t, config),
            "ve" => (g.Constant(1f), config.TimestepInput == TimestepInput.LogSigma ? g.Exp(t) : t),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.NoiseSchedule, "unknown noise schedule"),
        };
    }

    private static double[] AlphaBars(SchedulerConfig config) => [.. ((DiscreteSchedule)config.CreateSchedule()).AlphasCumprod];

    // Integer training steps look the noise level up: alpha = sqrt(alpha_bar), sigma = sqrt(1 - alpha_bar).
    private static (string, string) DiscreteAtIndex(OnnxModelBuilder g, string index, double[] alphaBars)
    {
        var alphas = g.Initializer("alpha_by_timestep", alphaBars.Select(a => (float)Math.Sqrt(a)).ToArray());
        var sigmas = g.Initializer("sigma_by_timestep", alphaBars.Select(a => (float)Math.Sqrt(1 - a)).ToArray());
        return (g.Gather(alphas, index), g.Gather(sigmas, index));
    }

    // Fractional training steps (k-diffusion's convention, as the runtime's DiscreteSchedule): with
    // the variance-exploding noise level s_i = sqrt((1 - alpha_bar_i) / alpha_bar_i), interpolate
    // log s linearly between the two neighbouring steps, then alpha = 1 / sqrt(1 + s^2) and
    // sigma = s * alpha. Steps outside [0, T-1] are clamped.
    private static (string, string) DiscreteInterpolated(OnnxModelBuilder g, string t, double[] alphaBars)
    {
        var logSigmas = g.Initializer("log_sigma_by_timestep", alphaBars.Select(a => (float)(0.5 * Math.Log((1 - a) / a))).ToArray());
        var last = g.Constant((float)(alphaBars.Length - 1));
        var clamped = g.Clip(t, g.Constant(0f), last);
        var low = g.Floor(clamped);
        var high = g.Min(g.Add(low, g.Constant(1f)), last);
        var fraction = g.Sub(clamped, low);
        var logLow = g.Gather(logSigmas, g.Cast(low, ElementType.Int64));
        var logHigh = g.Gather(logSigmas, g.Cast(high, ElementType.Int64));
        var s = g.Exp(g.Add(logLow, g.Mul(fraction, g.Sub(logHigh, logLow))));
        var alpha = g.Reciprocal(g.Sqrt(g.Add(g.Constant(1f), g.Mul(s, s))));
        return (alpha, g.Mul(s, alpha));
    }

    // Song et al. 2021, VP SDE marginal: log alpha(t) = -t^2 (beta_max - beta_min) / 4 - t beta_min / 2;
    // VP: sigma = sqrt(1 - alpha^2); sub-VP: sigma = 1 - alpha^2.
    private static (string, string) Continuous(OnnxModelBuilder g, string t, SchedulerConfig config)
    {
        var quadratic = g.Mul(g.Mul(t, t), g.Constant((float)(-(config.BetaMax - config.BetaMin) / 4)));
        var logAlpha = g.Add(quadratic, g.Mul(t, g.Constant((float)(-config.BetaMin / 2))));
        var alpha = g.Exp(logAlpha);
        var oneMinusAlphaSquared = OneMinusExp(g, g.Add(logAlpha, logAlpha));
        var sigma = config.NoiseSchedule == "vp" ? g.Sqrt(oneMinusAlphaSquared) : oneMinusAlphaSquared;
        return (alpha, sigma);
    }

    /// <summary>
    /// 1 - e^y for y &lt;= 0, accurate near y = 0 where 1 - e^y cancels (small t, where sampling
    /// ends). Kahan's expm1 trick: with u = e^y rounded, 1 - u is exact there and
    /// (1 - u) * y / log(u) corrects the rounding of u; u == 1 gives -y.
    /// </summary>
    private static string OneMinusExp(OnnxModelBuilder g, string y)
    {
        var u = g.Exp(y);
        var oneMinusU = g.Sub(g.Constant(1f), u);
        var corrected = g.Div(g.Mul(oneMinusU, y), g.Log(u));
        var nearZero = g.Where(g.Equal(u, g.Constant(1f)), g.Neg(y), corrected);
        return g.Where(g.Less(u, g.Constant(0.5f)), oneMinusU, nearZero);
    }
}
