namespace Diffusion.Runtime.Models;

/// <summary>
/// What the model's <c>timestep</c> input means (config key <c>timestep_input</c>); the value fed
/// is multiplied by <c>timestep_scale</c>.
/// </summary>
public enum TimestepInput
{
    /// <summary>"index": the training index in [0, T-1] (diffusers' DDPM/DDIM models).</summary>
    Index,

    /// <summary>"t": continuous time in [0, 1] (score-SDE VP and sub-VP models).</summary>
    Time,

    /// <summary>"sigma": the noise level sigma (NCSN / score-SDE VE models, diffusers' ScoreSdeVeScheduler).</summary>
    Sigma,

    /// <summary>"log_sigma": the natural logarithm of sigma.</summary>
    LogSigma,
}

/// <summary>The config names of <see cref="TimestepInput"/> values (key <c>timestep_input</c>).</summary>
public static class TimestepInputNames
{
    /// <summary>Every name, in the order of the enum: index, t, sigma, log_sigma.</summary>
    public static readonly IReadOnlyList<string> All = ["index", "t", "sigma", "log_sigma"];

    /// <summary>The config name of <paramref name="input"/>.</summary>
    public static string Name(this TimestepInput input) => All[(int)input];
}
