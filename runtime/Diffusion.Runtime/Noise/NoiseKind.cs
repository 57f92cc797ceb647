namespace Diffusion.Runtime.Noise;

/// <summary>Which random numbers a generation draws (<see cref="Generation.GenerationOptions.Noise"/>).</summary>
public enum NoiseKind
{
    /// <summary>
    /// Sample i draws only from its own stream, seeded by (seed, i) (<see cref="BatchNoise"/>): the same
    /// samples whatever the batch size, thread count or batch a sample lands in.
    /// </summary>
    PerSample,

    /// <summary>
    /// One stream for the whole generation, as torch's CPU generator after <c>torch.manual_seed(seed)</c>
    /// gives it (<see cref="TorchGenerator"/>), drawn in the order a diffusers pipeline draws: the initial
    /// noise first (unless it is given), then each step's noise, every draw over the whole batch. Needs
    /// every sample in one batch.
    /// </summary>
    Torch,
}

/// <summary>Parsing and naming of <see cref="NoiseKind"/> values.</summary>
public static class NoiseKindNames
{
    /// <summary>Every accepted name.</summary>
    public static readonly IReadOnlyList<string> All = ["per-sample", "torch"];

    /// <summary>Parses a noise name (case-insensitive).</summary>
    public static NoiseKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "per-sample" => NoiseKind.PerSample,
        "torch" => NoiseKind.Torch,
        _ => throw new DiffusionRequestException($"unknown noise '{name}': use one of {string.Join(", ", All)}.", "GenerationOptions.Noise"),
    };

    /// <summary>The name of a noise kind, as <see cref="Parse"/> accepts it.</summary>
    public static string Name(this NoiseKind kind) => kind == NoiseKind.Torch ? "torch" : "per-sample";
}
