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
    ];

    /// <summary>All samplers, in the order they are listed.</summary>
    public static IReadOnlyList<ISampler> All => Samplers;

    /// <summary>The sampler called <paramref name="name"/> (case-insensitive), or a clear error listing the names.</summary>
    public static ISampler Get(string name) =>
        Samplers.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new DiffusionRequestException(
            $"unknown sampler '{name}': set GenerationOptions.Sampler to one of {string.Join(", ", Samplers.Select(s => s.Name))}.", "GenerationOptions.Sampler");
}
