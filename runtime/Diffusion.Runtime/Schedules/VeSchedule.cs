namespace Diffusion.Runtime.Schedules;

/// <summary>
/// The variance-exploding process of NCSN and score SDEs (Song &amp; Ermon 2019; Song et al. 2021,
/// eq. 9): alpha = 1 and geometric sigma(t) = sigma_min (sigma_max / sigma_min)^t, t in [eps, 1].
/// </summary>
public sealed class VeSchedule : NoiseSchedule
{
    /// <summary>Creates the schedule.</summary>
    public VeSchedule(double sigmaMin = 0.01, double sigmaMax = 50, double eps = 1e-5, int trainSteps = 1000)
    {
        if (!(sigmaMin > 0 && sigmaMax > sigmaMin))
            throw new DiffusionModelException($"sigma_min {sigmaMin} and sigma_max {sigmaMax} must satisfy 0 < sigma_min < sigma_max.");
        if (!(eps > 0 && eps < 1)) throw new DiffusionModelException($"sampling_eps must lie in (0, 1), got {eps}.");
        SigmaMin = sigmaMin;
        SigmaMax = sigmaMax;
        MinTime = eps;
        TrainingStep = 1.0 / trainSteps;
    }

    /// <summary>sigma(0).</summary>
    public double SigmaMin { get; }

    /// <summary>sigma(1).</summary>
    public double SigmaMax { get; }

    /// <inheritdoc />
    public override double MinTime { get; }

    /// <inheritdoc />
    public override double MaxTime => 1;

    /// <inheritdoc />
    public override double TrainingStep { get; }

    /// <inheritdoc />
    public override TimePoint Clean => new(0, 1, 0);

    /// <inheritdoc />
    public override TimePoint At(double time) =>
        new(time, 1, SigmaMin * Math.Pow(SigmaMax / SigmaMin, Math.Clamp(time, 0, 1)));

    /// <inheritdoc />
    public override double TimeOfScaledSigma(double scaledSigma) =>
        Math.Clamp(Math.Log(scaledSigma / SigmaMin) / Math.Log(SigmaMax / SigmaMin), MinTime, MaxTime);

    /// <inheritdoc />
    public override (double Drift, double DiffusionSquared) SdeCoefficients(double time)
    {
        double s = At(time).Sigma;
        return (0, 2 * s * s * Math.Log(SigmaMax / SigmaMin)); // d sigma^2 / dt
    }

    /// <inheritdoc />
    public override string Describe() =>
        $"variance-exploding, sigma {SigmaMin:G4} .. {SigmaMax:G4}, t in [{MinTime:G3}, 1]";
}
