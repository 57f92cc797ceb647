namespace Diffusion.Testing;

/// <summary>
/// The noise levels (alpha, sigma) of x_t = alpha x_0 + sigma eps for every schedule the
/// project supports, in double precision, for comparing against models and runtimes.
/// </summary>
public static class ReferenceSchedules
{
    /// <summary>
    /// diffusers' betas: <c>linear</c> (evenly spaced from <paramref name="betaStart"/> to
    /// <paramref name="betaEnd"/>), <c>scaled_linear</c> (evenly spaced square roots, squared) or
    /// <c>squaredcos_cap_v2</c> (Nichol &amp; Dhariwal 2021, eq. 17, capped at 0.999).
    /// </summary>
    public static double[] Betas(string betaSchedule, int numTrainTimesteps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        var n = numTrainTimesteps;
        double Fraction(int i) => (double)i / (n - 1);
        return betaSchedule switch
        {
            "linear" => Enumerable.Range(0, n).Select(i => betaStart + (betaEnd - betaStart) * Fraction(i)).ToArray(),
            "scaled_linear" => Enumerable.Range(0, n)
                .Select(i => Math.Pow(Math.Sqrt(betaStart) + (Math.Sqrt(betaEnd) - Math.Sqrt(betaStart)) * Fraction(i), 2)).ToArray(),
            "squaredcos_cap_v2" => Enumerable.Range(0, n)
                .Select(i => Math.Min(1 - CosineAlphaBar((i + 1.0) / n) / CosineAlphaBar((double)i / n), 0.999)).ToArray(),
            _ => throw new ArgumentException($"Unknown beta schedule '{betaSchedule}': use linear, scaled_linear or squaredcos_cap_v2."),
        };
    }

    /// <summary>alpha_bar_i = prod_{j &lt;= i} (1 - beta_j).</summary>
    public static double[] AlphaBars(IReadOnlyList<double> betas)
    {
        var result = new double[betas.Count];
        var product = 1.0;
        for (var i = 0; i < result.Length; i++)
        {
            product *= 1 - betas[i];
            result[i] = product;
        }
        return result;
    }

    /// <summary>
    /// The noise level at training index <paramref name="index"/> of a discrete schedule.
    /// At an integer index: alpha = sqrt(alpha_bar), sigma = sqrt(1 - alpha_bar). Between
    /// indices (k-diffusion's convention): log s interpolated linearly, where
    /// s = sqrt((1 - alpha_bar) / alpha_bar), then alpha = 1 / sqrt(1 + s^2), sigma = s alpha.
    /// Indices outside [0, T-1] are clamped.
    /// </summary>
    public static (double Alpha, double Sigma) Discrete(IReadOnlyList<double> alphaBars, double index)
    {
        var clamped = Math.Clamp(index, 0, alphaBars.Count - 1);
        var low = (int)Math.Floor(clamped);
        var high = Math.Min(low + 1, alphaBars.Count - 1);
        var fraction = clamped - low;
        double LogS(int i) => 0.5 * Math.Log((1 - alphaBars[i]) / alphaBars[i]);
        var s = Math.Exp((1 - fraction) * LogS(low) + fraction * LogS(high));
        var alpha = 1 / Math.Sqrt(1 + s * s);
        return (alpha, s * alpha);
    }

    /// <summary>
    /// The VP SDE (Song et al. 2021) at t in [0, 1]:
    /// log alpha = -t^2 (beta_max - beta_min) / 4 - t beta_min / 2, sigma = sqrt(1 - alpha^2).
    /// </summary>
    public static (double Alpha, double Sigma) Vp(double t, double betaMin = 0.1, double betaMax = 20)
    {
        var logAlpha = VpLogAlpha(t, betaMin, betaMax);
        return (Math.Exp(logAlpha), Math.Sqrt(StableMath.OneMinusExp(2 * logAlpha)));
    }

    /// <summary>The sub-VP SDE (Song et al. 2021): VP's alpha, sigma = 1 - alpha^2.</summary>
    public static (double Alpha, double Sigma) SubVp(double t, double betaMin = 0.1, double betaMax = 20)
    {
        var logAlpha = VpLogAlpha(t, betaMin, betaMax);
        return (Math.Exp(logAlpha), StableMath.OneMinusExp(2 * logAlpha));
    }

    /// <summary>The VE SDE: alpha = 1 at noise level <paramref name="sigma"/>.</summary>
    public static (double Alpha, double Sigma) Ve(double sigma) => (1, sigma);

    private static double VpLogAlpha(double t, double betaMin, double betaMax) =>
        -t * t * (betaMax - betaMin) / 4 - t * betaMin / 2;

    private static double CosineAlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
}
