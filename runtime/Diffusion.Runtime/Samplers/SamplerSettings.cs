using Diffusion.Runtime.Models;

namespace Diffusion.Runtime.Samplers;

/// <summary>
/// The knobs samplers read. Each sampler uses only the ones it lists in <see cref="ISampler.Options"/>;
/// null means "the model's config, else the sampler's default" (<see cref="WithDefaultsFrom"/>).
/// </summary>
public sealed record SamplerSettings
{
    /// <summary>
    /// Share of fresh noise in [0, 1]. DDIM: 0 is deterministic, 1 matches DDPM's posterior noise
    /// (Song et al. 2021, eq. 16); null is 0. Euler ancestral: 1 is the full ancestral step
    /// (k-diffusion's <c>get_ancestral_step</c>), 0 is Euler; null is 1. DPM-Solver++ SDE: the share of the
    /// reverse SDE's diffusion, 1 the SDE and 0 the probability-flow ODE; null is 1.
    /// </summary>
    public double? Eta { get; init; }

    /// <summary>DDPM's variance: <c>fixed_small</c> (posterior variance) or <c>fixed_large</c> (beta_t); null takes the config's <c>variance_type</c>.</summary>
    public string? VarianceType { get; init; }

    /// <summary>Signal-to-noise ratio of the Langevin corrector (Song et al. 2021, Alg. 4/5); null takes the config's <c>snr</c>, else 0.16.</summary>
    public double? Snr { get; init; }

    /// <summary>Langevin corrector steps after each predictor step (0 disables the corrector).</summary>
    public int CorrectorSteps { get; init; } = 1;

    /// <summary>Predictor of the PC sampler, by its name in <see cref="Predictors"/>: <c>reverse_diffusion</c> or <c>euler_maruyama</c>.</summary>
    public string Predictor { get; init; } = "reverse_diffusion";

    /// <summary>Langevin steps per noise level of annealed Langevin dynamics (T of Song &amp; Ermon 2019, Alg. 1).</summary>
    public int LangevinSteps { get; init; } = 10;

    /// <summary>
    /// Relative step of annealed Langevin dynamics: at noise level sigma_i a step moves with
    /// StepSize * sigma_i^2 (Song &amp; Ermon 2019 write epsilon sigma_i^2 / sigma_L^2; their
    /// epsilon = 2e-5 at sigma_L = 0.01 is 0.2).
    /// </summary>
    public double StepSize { get; init; } = 0.2;

    /// <summary>
    /// Order of the multistep solvers (DPM-Solver++, UniPC's predictor), 1 to 3; null takes the
    /// config's <c>solver_order</c>, else 2.
    /// </summary>
    public int? Order { get; init; }

    /// <summary>
    /// Second-order form of DPM-Solver++ (<see cref="Samplers.SolverType.Midpoint"/> or
    /// <see cref="Samplers.SolverType.Heun"/>) or UniPC's B(h) (<see cref="Samplers.SolverType.Bh1"/> or
    /// <see cref="Samplers.SolverType.Bh2"/>); null takes the config's <c>solver_type</c>, else
    /// midpoint for DPM-Solver++ and bh2 for UniPC. A form of the other solver maps as diffusers maps it
    /// (bh1/bh2 to midpoint, midpoint/heun to bh2).
    /// </summary>
    public SolverType? SolverType { get; init; }

    /// <summary>
    /// Multistep solvers: lower the order over the last steps (diffusers' <c>lower_order_final</c>; for
    /// DPM-Solver++ only below 15 steps, as diffusers does); null takes the config's, else true.
    /// </summary>
    public bool? LowerOrderFinal { get; init; }

    /// <summary>DPM-Solver++: make the last step first order (diffusers' <c>euler_at_final</c>); null takes the config's, else false.</summary>
    public bool? EulerAtFinal { get; init; }

    /// <summary>UniPC: apply the corrector UniC after every predictor step but the last (it costs no model evaluation).</summary>
    public bool UseCorrector { get; init; } = true;

    /// <summary>EDM's S_churn (Karras et al. 2022, Alg. 2): total noise added along the path; 0 is Heun's deterministic sampler.</summary>
    public double SChurn { get; init; } = 40;

    /// <summary>EDM's S_tmin: noise is added only at scaled noise levels sigma/alpha in [S_tmin, S_tmax].</summary>
    public double STMin { get; init; } = 0.05;

    /// <summary>EDM's S_tmax (see <see cref="STMin"/>).</summary>
    public double STMax { get; init; } = 50;

    /// <summary>EDM's S_noise: the added noise's standard deviation relative to the exact one (slightly above 1 offsets the denoiser's loss of detail).</summary>
    public double SNoise { get; init; } = 1.003;

    /// <summary>Restart: the scaled noise level sigma/alpha the restarts begin from (t_min of Xu et al. 2023); the path point nearest it is used.</summary>
    public double RestartMin { get; init; } = 0.1;

    /// <summary>Restart: the scaled noise level each restart jumps back up to (t_max of Xu et al. 2023).</summary>
    public double RestartMax { get; init; } = 2;

    /// <summary>Restart: how many times the interval is re-noised and solved again (K of Xu et al. 2023).</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>
    /// Restart: ODE steps (model evaluations) of each pass down the restart interval; null is two thirds of
    /// the path's steps, rounded (8 at 12 steps: 20 evaluations in all with one restart).
    /// </summary>
    public int? RestartSteps { get; init; }

    /// <summary>
    /// These settings with every null filled from <paramref name="config"/>: <c>variance_type</c>,
    /// <c>snr</c>, <c>solver_order</c>, <c>solver_type</c>, <c>lower_order_final</c>, <c>euler_at_final</c>.
    /// Explicit values win over the config.
    /// </summary>
    public SamplerSettings WithDefaultsFrom(SchedulerConfig config) => this with
    {
        VarianceType = VarianceType ?? config.VarianceType,
        Snr = Snr ?? config.Snr,
        Order = Order ?? config.SolverOrder,
        SolverType = SolverType ?? config.SolverType,
        LowerOrderFinal = LowerOrderFinal ?? config.LowerOrderFinal,
        EulerAtFinal = EulerAtFinal ?? config.EulerAtFinal,
    };

    /// <summary>Most <see cref="CorrectorSteps"/> and <see cref="LangevinSteps"/> accepted.</summary>
    public const int MaxInnerSteps = 1_000;

    /// <summary>Throws a <see cref="DiffusionRequestException"/> naming the member for a value out of range.</summary>
    public void Validate()
    {
        if (Eta is { } eta && !(eta >= 0 && eta <= 1)) throw Bad($"SamplerSettings.Eta must lie in [0, 1], got {eta}.", nameof(Eta));
        if (VarianceType is not (null or "fixed_small" or "fixed_large"))
            throw Bad($"unknown SamplerSettings.VarianceType '{VarianceType}': use fixed_small or fixed_large.", nameof(VarianceType));
        if (Snr is { } snr && !(snr > 0 && double.IsFinite(snr))) throw Bad($"SamplerSettings.Snr must be positive and finite, got {snr}.", nameof(Snr));
        if (CorrectorSteps is < 0 or > MaxInnerSteps)
            throw Bad($"SamplerSettings.CorrectorSteps must lie in 0 to {MaxInnerSteps}, got {CorrectorSteps}.", nameof(CorrectorSteps));
        Predictors.Get(Predictor);
        if (LangevinSteps is < 1 or > MaxInnerSteps)
            throw Bad($"SamplerSettings.LangevinSteps must lie in 1 to {MaxInnerSteps}, got {LangevinSteps}.", nameof(LangevinSteps));
        if (!(StepSize > 0 && double.IsFinite(StepSize))) throw Bad($"SamplerSettings.StepSize must be positive and finite, got {StepSize}.", nameof(StepSize));
        if (Order is { } order && order is < 1 or > 3) throw Bad($"SamplerSettings.Order must be 1, 2 or 3, got {order}.", nameof(Order));
        if (!(SChurn >= 0 && double.IsFinite(SChurn))) throw Bad($"SamplerSettings.SChurn must be 0 or more, got {SChurn}.", nameof(SChurn));
        if (!(STMin >= 0 && STMax >= STMin && double.IsFinite(STMax)))
            throw Bad($"SamplerSettings.STMin ({STMin}) and SamplerSettings.STMax ({STMax}) must satisfy 0 <= S_tmin <= S_tmax < infinity.", nameof(STMin));
        if (!(SNoise >= 0 && double.IsFinite(SNoise))) throw Bad($"SamplerSettings.SNoise must be 0 or more, got {SNoise}.", nameof(SNoise));
        if (!(RestartMin > 0 && RestartMax > RestartMin && double.IsFinite(RestartMax)))
            throw Bad($"SamplerSettings.RestartMin ({RestartMin}) and SamplerSettings.RestartMax ({RestartMax}) must satisfy 0 < min < max < infinity.", nameof(RestartMin));
        if (Restarts is < 0 or > MaxInnerSteps) throw Bad($"SamplerSettings.Restarts must lie in 0 to {MaxInnerSteps}, got {Restarts}.", nameof(Restarts));
        if (RestartSteps is { } restartSteps && restartSteps is < 1 or > MaxInnerSteps)
            throw Bad($"SamplerSettings.RestartSteps must lie in 1 to {MaxInnerSteps}, got {RestartSteps}.", nameof(RestartSteps));
    }

    private static DiffusionRequestException Bad(string message, string member) => new(message, $"{nameof(SamplerSettings)}.{member}");
}

/// <summary>The variant of a multistep solver's higher-order terms (diffusers' <c>solver_type</c>).</summary>
public enum SolverType
{
    /// <summary>DPM-Solver++(2M) as in Lu et al. 2022b, Alg. 2: the first difference enters with weight 1/2.</summary>
    Midpoint,

    /// <summary>DPM-Solver++ with the first difference weighted by (e^-h - 1)/h + 1 (diffusers' "heun").</summary>
    Heun,

    /// <summary>UniPC with B(h) = h (Zhao et al. 2023, sec. 3.1).</summary>
    Bh1,

    /// <summary>UniPC with B(h) = e^h - 1 (Zhao et al. 2023, sec. 3.1).</summary>
    Bh2,
}

/// <summary>Parsing and naming of <see cref="SolverType"/>, by diffusers' names.</summary>
public static class SolverTypeNames
{
    /// <summary>Every accepted name.</summary>
    public static readonly IReadOnlyList<string> All = ["midpoint", "heun", "bh1", "bh2"];

    /// <summary>Parses a <c>solver_type</c> (case-insensitive); null for an unknown name.</summary>
    public static SolverType? TryParse(string name) => name.ToLowerInvariant() switch
    {
        "midpoint" => SolverType.Midpoint,
        "heun" => SolverType.Heun,
        "bh1" => SolverType.Bh1,
        "bh2" => SolverType.Bh2,
        _ => null,
    };

    /// <summary>The diffusers name.</summary>
    public static string Name(this SolverType type) => type.ToString().ToLowerInvariant();
}
