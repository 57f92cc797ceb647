using Diffusion.Runtime.Models;

namespace Diffusion.Onnx.Tests.Support;

/// <summary>Scheduler configs of each noise process, read as the runtime reads a config file (its defaults per schedule).</summary>
internal static class Configs
{
    /// <summary>Discrete DDPM betas over 1000 steps, index input (the record's defaults).</summary>
    public static SchedulerConfig Discrete(string betaSchedule = "linear", double betaStart = 1e-4, double betaEnd = 0.02) =>
        new() { BetaSchedule = betaSchedule, BetaStart = betaStart, BetaEnd = betaEnd };

    /// <summary>Continuous VP, beta 0.1 .. 20, t input.</summary>
    public static SchedulerConfig Vp { get; } = Parse("""{ "noise_schedule": "vp", "beta_min": 0.1, "beta_max": 20 }""");

    /// <summary>Continuous sub-VP, beta 0.1 .. 20, t input.</summary>
    public static SchedulerConfig SubVp { get; } = Parse("""{ "noise_schedule": "subvp", "beta_min": 0.1, "beta_max": 20 }""");

    /// <summary>VE, sigma 0.01 .. 50, sigma input.</summary>
    public static SchedulerConfig Ve { get; } = Parse("""{ "noise_schedule": "ve", "sigma_min": 0.01, "sigma_max": 50 }""");

    public static SchedulerConfig Parse(string json) => SchedulerConfig.Parse(json, "test config");
}
