using Diffusion.Runtime.Models;
using Diffusion.Testing;

namespace Diffusion.Onnx.Tests.Support;

/// <summary>
/// A noise schedule under test: the scheduler config that builds the model, the exact noise
/// level for a value fed to its timestep input, and the timestep values the tests feed.
/// </summary>
internal sealed record ScheduleCase(
    string Name,
    SchedulerConfig Config,
    Func<double, (double Alpha, double Sigma)> NoiseLevel,
    double[] Timesteps,
    double[]? IndexTimesteps = null)
{
    private static readonly double[] LinearAlphaBars = ReferenceSchedules.AlphaBars(ReferenceSchedules.Betas("linear"));
    private static readonly double[] ScaledAlphaBars = ReferenceSchedules.AlphaBars(ReferenceSchedules.Betas("scaled_linear", 1000, 0.00085, 0.012));
    private static readonly double[] CosineAlphaBars = ReferenceSchedules.AlphaBars(ReferenceSchedules.Betas("squaredcos_cap_v2"));

    // Fractional training indices interpolate; integer ones hit the ends and the middle.
    private static readonly double[] Fractional = [0.25, 421.5, 998.7];
    private static readonly double[] Integral = [0, 421, 999];
    // Continuous time from near 0 (where 1 - alpha^2 cancels) to 1.
    private static readonly double[] ContinuousT = [1e-5, 0.37, 1.0];

    public static IReadOnlyList<ScheduleCase> All { get; } =
    [
        new("discrete-linear", Configs.Discrete("linear"),
            t => ReferenceSchedules.Discrete(LinearAlphaBars, t), Fractional, Integral),
        new("discrete-scaled_linear", Configs.Discrete("scaled_linear", 0.00085, 0.012),
            t => ReferenceSchedules.Discrete(ScaledAlphaBars, t), Fractional, Integral),
        new("discrete-squaredcos_cap_v2", Configs.Discrete("squaredcos_cap_v2"),
            t => ReferenceSchedules.Discrete(CosineAlphaBars, t), Fractional, Integral),
        new("vp", Configs.Vp, t => ReferenceSchedules.Vp(t), ContinuousT),
        new("vp-scale999", Configs.Vp with { TimestepScale = 999 },
            t => ReferenceSchedules.Vp(t / 999), [0.01, 369.63, 999]),
        new("subvp", Configs.SubVp, t => ReferenceSchedules.SubVp(t), ContinuousT),
        new("ve-sigma", Configs.Ve, ReferenceSchedules.Ve, [0.01, 1.3, 50]),
        new("ve-log_sigma", Configs.Ve with { TimestepInput = TimestepInput.LogSigma },
            t => ReferenceSchedules.Ve(Math.Exp(t)), [Math.Log(0.01), Math.Log(1.3), Math.Log(50)]),
    ];

    public static ScheduleCase Named(string name) => All.Single(c => c.Name == name);

    public override string ToString() => Name;
}
