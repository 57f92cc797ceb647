namespace Diffusion.Runtime.Samplers;

/// <summary>The samplers users can pick by name. Adding one: its file plus one line here.</summary>
public static class SamplerRegistry
{
    private static readonly ISampler[] Samplers =
    [
        new DdpmSampler(),
        new DdimSampler(),
        new EulerSampler(),
        new HeunSampler(),
        new PredictorCorrectorSampler(),
        new AnnealedLangevinSampler(),
        new DpmSolverSampler(),
        new DpmSolverSdeSampler(),
        new UniPcSampler(),
        new EulerAncestralSampler(),
        new EdmSampler(),
        new RestartSampler(),
    ];

    /// <summary>All samplers, in the order they are listed.</summary>
    public static IReadOnlyList<ISampler> All => Samplers;

    /// <summary>
    /// The sampler used when a request names none and the model's config names none: restart sampling,
    /// which at <see cref="Generation.GenerationOptions.DefaultSteps"/> steps (20 model evaluations) is
    /// within one standard error of DDPM at 100 steps on all three shipped MNIST models, where DPM-Solver++
    /// SDE needs 25 evaluations on two of them and more on mnist-ddpm (docs/quality.md, "Quality per model
    /// evaluation").
    /// </summary>
    public const string DefaultName = "restart";

    /// <summary>
    /// The sampler a request runs: <paramref name="name"/> when given, else the one the config's
    /// diffusers class stands for (<see cref="Models.SchedulerConfig.Sampler"/>), else <see cref="DefaultName"/>.
    /// </summary>
    public static ISampler For(string? name, Models.SchedulerConfig config) => Get(name ?? config.Sampler ?? DefaultName);

    /// <summary>The sampler called <paramref name="name"/> (case-insensitive), or a clear error listing the names.</summary>
    public static ISampler Get(string name) =>
        Samplers.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new DiffusionRequestException(
            $"unknown sampler '{name}': set GenerationOptions.Sampler to one of {string.Join(", ", Samplers.Select(s => s.Name))}.", "GenerationOptions.Sampler");
}
