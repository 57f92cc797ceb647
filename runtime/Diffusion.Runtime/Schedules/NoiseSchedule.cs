namespace Diffusion.Runtime.Schedules;

/// <summary>
/// A noise process fixed at training time: it maps the schedule's time to the signal and noise
/// scales (alpha, sigma) of <c>x_t = alpha(t) x0 + sigma(t) noise</c>, at any time in its domain,
/// not only on a training grid.
/// </summary>
public abstract class NoiseSchedule
{
    /// <summary>Smallest time a sampler may evaluate the model at (the noisiest is <see cref="MaxTime"/>).</summary>
    public abstract double MinTime { get; }

    /// <summary>Largest (noisiest) time of the process.</summary>
    public abstract double MaxTime { get; }

    /// <summary>
    /// Length of one training step in this schedule's time units (1 for a discrete schedule,
    /// 1/N for a continuous one). Langevin correctors scale their step with it.
    /// </summary>
    public abstract double TrainingStep { get; }

    /// <summary>True when the model was trained only at whole time indices.</summary>
    public virtual bool IsDiscrete => false;

    /// <summary>alpha(t) and sigma(t) at <paramref name="time"/>, which is clamped to the domain.</summary>
    public abstract TimePoint At(double time);

    /// <summary>The clean end point that every sampling path finishes on.</summary>
    public virtual TimePoint Clean => new(MinTime - TrainingStep, 1.0, 0.0);

    /// <summary>Scaled noise level sigma/alpha at the least noisy time.</summary>
    public double MinScaledSigma => At(MinTime).ScaledSigma;

    /// <summary>Scaled noise level sigma/alpha at the noisiest time.</summary>
    public double MaxScaledSigma => At(MaxTime).ScaledSigma;

    /// <summary>
    /// The time at which sigma/alpha equals <paramref name="scaledSigma"/> (clamped to the domain).
    /// sigma/alpha increases with time for every schedule here, so bisection finds it.
    /// </summary>
    public virtual double TimeOfScaledSigma(double scaledSigma)
    {
        double lo = MinTime, hi = MaxTime;
        if (scaledSigma <= At(lo).ScaledSigma) return lo;
        if (scaledSigma >= At(hi).ScaledSigma) return hi;
        for (int i = 0; i < 100 && hi - lo > 1e-12 * Math.Max(1.0, Math.Abs(hi)); i++)
        {
            double mid = 0.5 * (lo + hi);
            if (At(mid).ScaledSigma < scaledSigma) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>
    /// Coefficients of the forward SDE <c>dx = f(t) x dt + g(t) dW</c> whose marginals are this
    /// schedule: f = d log(alpha)/dt and g^2 = d(sigma^2)/dt - 2 f sigma^2 (Kingma et al. 2021,
    /// VDM, appendix A; Song et al. 2021, eq. 5). Computed by central differences; schedules with
    /// closed forms override it.
    /// </summary>
    public virtual (double Drift, double DiffusionSquared) SdeCoefficients(double time)
    {
        double h = 1e-4 * (MaxTime - MinTime);
        double t0 = Math.Max(MinTime, time - h), t1 = Math.Min(MaxTime, time + h);
        if (t1 <= t0) t1 = t0 + h;
        var p0 = At(t0);
        var p1 = At(t1);
        var p = At(time);
        double drift = (Math.Log(p1.Alpha) - Math.Log(p0.Alpha)) / (t1 - t0);
        double dSigma2 = (p1.Sigma * p1.Sigma - p0.Sigma * p0.Sigma) / (t1 - t0);
        return (drift, Math.Max(0.0, dSigma2 - 2 * drift * p.Sigma * p.Sigma));
    }

    /// <summary>
    /// The signal kept over one training step ending at <paramref name="time"/>:
    /// (alpha(t) / alpha(t - step))^2, i.e. 1 - beta_t for DDPM's discrete schedule and 1 for a
    /// variance-exploding one. Scales the Langevin corrector's step (Song et al. 2021, Alg. 5).
    /// </summary>
    public double OneStepSignal(double time)
    {
        double prev = Math.Max(MinTime, time - TrainingStep);
        if (prev >= time) return 1.0;
        double r = At(time).Alpha / At(prev).Alpha;
        return r * r;
    }

    /// <summary>A one-line description for <c>diffusion info</c>.</summary>
    public abstract string Describe();
}
