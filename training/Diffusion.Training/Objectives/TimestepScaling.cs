using Diffusion.Runtime;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Training.Objectives;

/// <summary>
/// Chooses <c>timestep_scale</c> so that whatever the network is conditioned on (index, t, sigma or
/// log sigma) spans about <see cref="Span"/> units, the range of DDPM's training index: one sinusoidal
/// embedding (whose frequencies are made for [0, 1000)) then serves every objective.
/// </summary>
public static class TimestepScaling
{
    /// <summary>The width of the range the timestep input covers.</summary>
    public const double Span = 999;

    /// <summary>Returns <paramref name="config"/> with the <c>timestep_scale</c> that stretches its input over <see cref="Span"/>.</summary>
    /// <exception cref="DiffusionException">The input is a training index but the process is continuous.</exception>
    public static SchedulerConfig Apply(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var schedule = config.CreateSchedule();
        if (config.TimestepInput == TimestepInput.Index && !schedule.IsDiscrete)
        {
            throw new DiffusionException($"timestep input 'index' needs a discrete (ddpm) process; a {config.NoiseSchedule} process takes t, sigma or log_sigma.");
        }
        return config with { TimestepScale = For(config.TimestepInput, schedule) };
    }

    /// <summary>The scale for <paramref name="input"/> over <paramref name="schedule"/>'s time domain.</summary>
    public static double For(TimestepInput input, NoiseSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        TimePoint low = schedule.At(schedule.MinTime), high = schedule.At(schedule.MaxTime);
        return input switch
        {
            TimestepInput.Index => 1,
            TimestepInput.Time => Span / schedule.MaxTime,
            TimestepInput.Sigma => Span / high.Sigma,
            TimestepInput.LogSigma => Span / Math.Log(high.Sigma / low.Sigma),
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        };
    }
}
