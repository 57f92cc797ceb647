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
