namespace Diffusion.Runtime.Schedules;

/// <summary>
/// Continuous-time variance-preserving (VP) and sub-VP processes of Song et al. 2021 (eqs. 11, 29),
/// with the linear beta(t) = beta_min + t (beta_max - beta_min), t in [eps, 1]:
/// log alpha(t) = -t^2 (beta_max - beta_min)/4 - t beta_min/2; sigma = sqrt(1 - alpha^2) for VP and
/// 1 - alpha^2 for sub-VP.
/// </summary>
public sealed class VpSchedule : NoiseSchedule
{
    /// <summary>Creates the schedule.</summary>
    public VpSchedule(bool subVp, double betaMin = 0.1, double betaMax = 20, double eps = 1e-3, int trainSteps = 1000)
    {
        if (!(betaMin > 0 && betaMax > betaMin))
            throw new DiffusionModelException($"beta_min {betaMin} and beta_max {betaMax} must satisfy 0 < beta_min < beta_max.");
        if (!(eps > 0 && eps < 1)) throw new DiffusionModelException($"sampling_eps must lie in (0, 1), got {eps}.");
        IsSubVp = subVp;
        BetaMin = betaMin;
        BetaMax = betaMax;
        MinTime = eps;
        TrainingStep = 1.0 / trainSteps;
    }

    /// <summary>True for the sub-VP process.</summary>
    public bool IsSubVp { get; }

    /// <summary>beta(0).</summary>
    public double BetaMin { get; }

    /// <summary>beta(1).</summary>
    public double BetaMax { get; }

    /// <inheritdoc />
    public override double MinTime { get; }

    /// <inheritdoc />
    public override double MaxTime => 1;

    /// <inheritdoc />
    public override double TrainingStep { get; }

    /// <inheritdoc />
    public override TimePoint Clean => new(0, 1, 0);

    /// <inheritdoc />
    public override TimePoint At(double time)
    {
        double t = Math.Clamp(time, 0, 1);
        double logAlpha = -0.25 * t * t * (BetaMax - BetaMin) - 0.5 * t * BetaMin;
        double alpha = Math.Exp(logAlpha);
        double oneMinusA2 = OneMinusExp(2 * logAlpha);
        return new TimePoint(time, alpha, IsSubVp ? oneMinusA2 : Math.Sqrt(oneMinusA2));
    }

    /// <summary>1 - e^u for u &lt;= 0, accurate near 0 where 1 - exp(u) loses digits.</summary>
    private static double OneMinusExp(double u) =>
        u > -1e-5 ? -u * (1 + u / 2 * (1 + u / 3)) : 1 - Math.Exp(u);

    /// <inheritdoc />
    public override (double Drift, double DiffusionSquared) SdeCoefficients(double time)
    {
        double beta = BetaMin + time * (BetaMax - BetaMin);
        if (!IsSubVp) return (-0.5 * beta, beta);
        double a2 = Math.Pow(At(time).Alpha, 2);
        return (-0.5 * beta, beta * (1 - a2 * a2)); // Song et al. 2021, eq. 29
    }

    /// <inheritdoc />
    public override string Describe() =>
        $"continuous {(IsSubVp ? "sub-VP" : "VP")} SDE, beta {BetaMin:G4} .. {BetaMax:G4}, t in [{MinTime:G3}, 1]";
}
