namespace Diffusion.Runtime.Samplers;

/// <summary>
/// The knobs samplers read. Each sampler uses only the ones it lists in <see cref="ISampler.Options"/>;
/// null means "the model's config, else the sampler's default".
/// </summary>
public sealed record SamplerSettings
{
    /// <summary>DDIM's eta in [0, 1]: 0 is deterministic, 1 matches DDPM's posterior noise (Song et al. 2021, eq. 16).</summary>
    public double Eta { get; init; }

    /// <summary>DDPM's variance: <c>fixed_small</c> (posterior variance) or <c>fixed_large</c> (beta_t); null takes the config's <c>variance_type</c>.</summary>
    public string? VarianceType { get; init; }

    /// <summary>Signal-to-noise ratio of the Langevin corrector (Song et al. 2021, Alg. 4/5); null takes the config's <c>snr</c>, else 0.16.</summary>
    public double? Snr { get; init; }

    /// <summary>Langevin corrector steps after each predictor step (0 disables the corrector).</summary>
    public int CorrectorSteps { get; init; } = 1;

    /// <summary>Predictor of the PC sampler: <c>reverse_diffusion</c> or <c>euler_maruyama</c>.</summary>
    public string Predictor { get; init; } = "reverse_diffusion";

    /// <summary>Langevin steps per noise level of annealed Langevin dynamics (T of Song &amp; Ermon 2019, Alg. 1).</summary>
    public int LangevinSteps { get; init; } = 10;

    /// <summary>
    /// Relative step of annealed Langevin dynamics: at noise level sigma_i a step moves with
    /// StepSize * sigma_i^2 (Song &amp; Ermon 2019 write epsilon sigma_i^2 / sigma_L^2; their
    /// epsilon = 2e-5 at sigma_L = 0.01 is 0.2).
    /// </summary>
    public double StepSize { get; init; } = 0.2;

    /// <summary>Throws a clear error for a value out of range.</summary>
    public void Validate()
    {
        if (!(Eta >= 0 && Eta <= 1)) throw new DiffusionRequestException($"eta must lie in [0, 1], got {Eta}.");
        if (VarianceType is not (null or "fixed_small" or "fixed_large"))
            throw new DiffusionRequestException($"unknown variance type '{VarianceType}': use fixed_small or fixed_large.");
        if (Snr is { } snr && !(snr > 0)) throw new DiffusionRequestException($"snr must be positive, got {snr}.");
        if (CorrectorSteps < 0) throw new DiffusionRequestException($"corrector steps must be 0 or more, got {CorrectorSteps}.");
        if (Predictor is not ("reverse_diffusion" or "euler_maruyama"))
            throw new DiffusionRequestException($"unknown predictor '{Predictor}': use reverse_diffusion or euler_maruyama.");
        if (LangevinSteps < 1) throw new DiffusionRequestException($"langevin steps must be at least 1, got {LangevinSteps}.");
        if (!(StepSize > 0)) throw new DiffusionRequestException($"step size must be positive, got {StepSize}.");
    }
}
