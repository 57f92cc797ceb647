namespace Diffusion.Runtime.Sampling;

/// <summary>How the inference times are chosen for a given number of steps.</summary>
public enum TimestepSpacing
{
    /// <summary>diffusers' "leading": multiples of floor(T/n) from 0, plus <c>steps_offset</c>.</summary>
    Leading,

    /// <summary>diffusers' "trailing": round(T - k T/n) - 1, so the first step is T-1.</summary>
    Trailing,

    /// <summary>diffusers' "linspace": n rounded points evenly spaced over [0, T-1].</summary>
    Linspace,

    /// <summary>Karras et al. 2022, eq. 5: sigmas evenly spaced in sigma^(1/rho), rho = 7.</summary>
    Karras,

    /// <summary>n times evenly spaced over the schedule's whole time domain, from its end to its start.</summary>
    Uniform,
}

/// <summary>Parsing and naming of <see cref="TimestepSpacing"/> values.</summary>
public static class TimestepSpacingNames
{
    /// <summary>Every accepted name.</summary>
    public static readonly IReadOnlyList<string> All = ["leading", "trailing", "linspace", "karras", "uniform"];

    /// <summary>Parses a spacing name (case-insensitive).</summary>
    public static TimestepSpacing Parse(string name) => name.ToLowerInvariant() switch
    {
        "leading" => TimestepSpacing.Leading,
        "trailing" => TimestepSpacing.Trailing,
        "linspace" => TimestepSpacing.Linspace,
        "karras" => TimestepSpacing.Karras,
        "uniform" => TimestepSpacing.Uniform,
        _ => throw new DiffusionRequestException($"unknown spacing '{name}': use one of {string.Join(", ", All)}."),
    };

    /// <summary>The name of a spacing, as <see cref="Parse"/> accepts it.</summary>
    public static string Name(this TimestepSpacing spacing) => spacing.ToString().ToLowerInvariant();
}

/// <summary>
/// How a diffusers scheduler class places its timesteps on the discrete training grid for a given
/// spacing name: the classes agree on <c>trailing</c> but not on <c>linspace</c> and <c>leading</c>.
/// </summary>
public enum SpacingConvention
{
    /// <summary>DDPMScheduler and DDIMScheduler (and this runtime's own configs): n rounded grid times, then the clean point.</summary>
    Ddim,

    /// <summary>
    /// DPMSolverMultistepScheduler and UniPCMultistepScheduler: n + 1 grid times (linspace rounded, or
    /// leading with stride floor(T / (n + 1))), of which the last, the least noisy, is replaced by the clean point.
    /// </summary>
    Multistep,

    /// <summary>
    /// EulerDiscreteScheduler and EulerAncestralDiscreteScheduler with interpolation_type linear:
    /// linspace times are not rounded, and sigma/alpha between training steps is interpolated linearly.
    /// </summary>
    Euler,

    /// <summary>The Euler schedulers with interpolation_type log_linear: unrounded linspace times on the schedule's own log-sigma interpolation.</summary>
    EulerLogLinear,
}
