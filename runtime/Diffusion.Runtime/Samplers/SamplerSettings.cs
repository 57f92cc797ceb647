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

    /// <summary>Most <see cref="CorrectorSteps"/> and <see cref="LangevinSteps"/> accepted.</summary>
    public const int MaxInnerSteps = 1_000;

    /// <summary>Throws <see cref="DiffusionRequestException"/> naming the member that is out of range.</summary>
    public void Validate()
    {
        if (!(Eta >= 0 && Eta <= 1)) throw Bad($"SamplerSettings.Eta must lie in [0, 1], got {Eta}.", nameof(Eta));
        if (VarianceType is not (null or "fixed_small" or "fixed_large"))
            throw Bad($"unknown SamplerSettings.VarianceType '{VarianceType}': use fixed_small or fixed_large.", nameof(VarianceType));
        if (Snr is { } snr && !(snr > 0 && double.IsFinite(snr))) throw Bad($"SamplerSettings.Snr must be positive and finite, got {snr}.", nameof(Snr));
        if (CorrectorSteps is < 0 or > MaxInnerSteps)
            throw Bad($"SamplerSettings.CorrectorSteps must lie in 0 to {MaxInnerSteps}, got {CorrectorSteps}.", nameof(CorrectorSteps));
        if (Predictor is not ("reverse_diffusion" or "euler_maruyama"))
            throw Bad($"unknown SamplerSettings.Predictor '{Predictor}': use reverse_diffusion or euler_maruyama.", nameof(Predictor));
        if (LangevinSteps is < 1 or > MaxInnerSteps)
            throw Bad($"SamplerSettings.LangevinSteps must lie in 1 to {MaxInnerSteps}, got {LangevinSteps}.", nameof(LangevinSteps));
        if (!(StepSize > 0 && double.IsFinite(StepSize))) throw Bad($"SamplerSettings.StepSize must be positive and finite, got {StepSize}.", nameof(StepSize));
    }

    private static DiffusionRequestException Bad(string message, string member) => new(message, nameof(SamplerSettings) + "." + member);
}
