using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Sampling;

/// <summary>
/// Materialises the list of times a sampler walks: <c>steps</c> noisy points from noisiest to
/// least noisy, then the schedule's clean end point. Samplers take each step's previous time from
/// this list, never from a stride.
/// </summary>
public static class SamplingPath
{
    /// <summary>Exponent rho of Karras et al. 2022, eq. 5.</summary>
    public const double KarrasRho = 7;

    /// <summary>Builds the path.</summary>
    /// <param name="schedule">The model's noise process.</param>
    /// <param name="steps">Number of noisy points (at least 1).</param>
    /// <param name="spacing">How to place them.</param>
    /// <param name="stepsOffset">diffusers' <c>steps_offset</c>, added to "leading" times.</param>
    /// <param name="integerTimes">True when the model only accepts whole time indices: times are
    /// rounded (and alpha, sigma taken at the rounded time) and repeated times dropped.</param>
    /// <param name="convention">How the grid spacings are placed: as the diffusers scheduler class of the model's config does.</param>
    public static TimePoint[] Create(NoiseSchedule schedule, int steps, TimestepSpacing spacing,
        int stepsOffset = 0, bool integerTimes = false, SpacingConvention convention = SpacingConvention.Ddim)
    {
        if (steps < 1) throw new DiffusionRequestException($"GenerationOptions.Steps must be at least 1, got {steps}.", "GenerationOptions.Steps");
        double[] times = spacing switch
        {
            TimestepSpacing.Leading or TimestepSpacing.Trailing or TimestepSpacing.Linspace => GridTimes(schedule, steps, spacing, stepsOffset, convention),
            TimestepSpacing.Karras => KarrasTimes(schedule, steps),
            TimestepSpacing.Uniform => BetaSchedule.Linspace(schedule.MaxTime, schedule.MinTime, steps),
            _ => throw new ArgumentOutOfRangeException(nameof(spacing)),
        };
        var path = new List<TimePoint>(times.Length + 1);
        foreach (double raw in times)
        {
            double t = integerTimes ? Math.Round(raw, MidpointRounding.ToEven) : raw;
            if (path.Count > 0 && path[^1].Time == t) continue;
            path.Add(convention == SpacingConvention.Euler && schedule is DiscreteSchedule discrete && spacing != TimestepSpacing.Karras
                ? LinearInSigma(discrete, t)
                : schedule.At(t));
        }
        path.Add(schedule.Clean);
        return path.ToArray();
    }

    /// <summary>The three spacings of diffusers, defined on the integer training grid [0, T-1].</summary>
    private static double[] GridTimes(NoiseSchedule schedule, int steps, TimestepSpacing spacing, int stepsOffset, SpacingConvention convention)
    {
        // The multistep classes place n + 1 points and drop the last: the clean point takes its place.
        if (convention == SpacingConvention.Multistep && spacing != TimestepSpacing.Trailing)
            return GridTimes(schedule, steps + 1, spacing, stepsOffset, SpacingConvention.Ddim)[..steps];
        if (!schedule.IsDiscrete)
            throw new DiffusionRequestException(
                $"spacing '{spacing.Name()}' is defined on a discrete training grid, but this model has a continuous-time schedule: set GenerationOptions.Spacing to uniform or karras.", "GenerationOptions.Spacing");
        int trainSteps = (int)schedule.MaxTime + 1;
        if (steps > trainSteps)
            throw new DiffusionRequestException(
                $"steps {steps} is more than the model's {trainSteps} training steps, the most spacing '{spacing.Name()}' can place: set GenerationOptions.Steps to at most {trainSteps}, or GenerationOptions.Spacing to karras or uniform.", "GenerationOptions.Steps");
        var times = new double[steps];
        switch (spacing)
        {
            case TimestepSpacing.Leading:
                int ratio = trainSteps / steps;
                for (int i = 0; i < steps; i++) times[i] = (steps - 1 - i) * ratio + stepsOffset;
                break;
            case TimestepSpacing.Trailing:
                double stride = (double)trainSteps / steps;
                for (int i = 0; i < steps; i++) times[i] = Math.Round(trainSteps - i * stride, MidpointRounding.ToEven) - 1;
                break;
            default:
                times = BetaSchedule.Linspace(trainSteps - 1, 0, steps);
                if (convention is SpacingConvention.Euler or SpacingConvention.EulerLogLinear) break; // Euler keeps fractional times
                for (int i = 0; i < steps; i++) times[i] = Math.Round(times[i], MidpointRounding.ToEven);
                break;
        }
        for (int i = 0; i < steps; i++)
            if (times[i] < 0 || times[i] > trainSteps - 1)
                throw new DiffusionModelException($"steps_offset {stepsOffset} moves time {times[i]} outside the training grid [0, {trainSteps - 1}].");
        return times;
    }

    /// <summary>The point at a fractional training time with sigma/alpha interpolated linearly (diffusers' Euler, interpolation_type linear).</summary>
    private static TimePoint LinearInSigma(DiscreteSchedule schedule, double t)
    {
        int i = (int)Math.Floor(t);
        if (t == i || i >= schedule.TrainSteps - 1) return schedule.At(t);
        static double Scaled(double alphaBar) => Math.Sqrt((1 - alphaBar) / alphaBar);
        double w = t - i;
        double scaled = (1 - w) * Scaled(schedule.AlphasCumprod[i]) + w * Scaled(schedule.AlphasCumprod[i + 1]);
        double alpha = 1 / Math.Sqrt(1 + scaled * scaled);
        return new TimePoint(t, alpha, scaled * alpha);
    }

    /// <summary>
    /// The noise level a share <paramref name="u"/> of the way from <paramref name="max"/> (u = 0) to
    /// <paramref name="min"/> (u = 1), evenly spaced in level^(1/rho) (Karras et al. 2022, eq. 5).
    /// </summary>
    internal static double KarrasLevel(double max, double min, double u)
    {
        double maxInv = Math.Pow(max, 1 / KarrasRho), minInv = Math.Pow(min, 1 / KarrasRho);
        return Math.Pow(maxInv + u * (minInv - maxInv), KarrasRho);
    }

    private static double[] KarrasTimes(NoiseSchedule schedule, int steps)
    {
        var times = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            double u = steps == 1 ? 0 : (double)i / (steps - 1);
            times[i] = schedule.TimeOfScaledSigma(KarrasLevel(schedule.MaxScaledSigma, schedule.MinScaledSigma, u));
        }
        times[0] = schedule.MaxTime;
        if (steps > 1) times[^1] = schedule.MinTime;
        return times;
    }
}
