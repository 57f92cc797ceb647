namespace Diffusion.Runtime.Schedules;

/// <summary>
/// One point of the noise process: the sample there is <c>x = Alpha * x0 + Sigma * noise</c>.
/// </summary>
/// <param name="Time">The schedule's own time: a (possibly fractional) training index for a
/// discrete schedule, t in [0, 1] for a continuous one. <see cref="double.NaN"/> is never used;
/// the clean end point of a path has time below the schedule's minimum.</param>
/// <param name="Alpha">Signal scale alpha(t); 1 for variance-exploding processes.</param>
/// <param name="Sigma">Noise scale sigma(t); 0 at the clean end of a sampling path.</param>
public readonly record struct TimePoint(double Time, double Alpha, double Sigma)
{
    /// <summary>True at the clean end of a path (no noise left).</summary>
    public bool IsClean => Sigma == 0;

    /// <summary>
    /// The noise level of the rescaled sample x / alpha, which follows a variance-exploding
    /// process (Karras et al. 2022, eq. 4 with s(t) = alpha): sigma / alpha.
    /// </summary>
    public double ScaledSigma => Sigma / Alpha;
}
