using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diffusion.Server.Api;

/// <summary>The body of <c>POST /v1/generate</c>: what to generate. Every member is optional.</summary>
public sealed class GenerateRequest
{
    /// <summary>The served model's name; default the first model.</summary>
    public string? Model { get; init; }

    /// <summary>ddpm, ddim, euler, heun, pc or langevin; default ddim.</summary>
    public string? Sampler { get; init; }

    /// <summary>Number of steps; default 50.</summary>
    public int? Steps { get; init; }

    /// <summary>Number of samples; default 1.</summary>
    public int? Count { get; init; }

    /// <summary>Seed: sample i depends only on (seed, i), as for <c>diffusion sample --seed</c>; default 0.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Class-conditional models: a label (3), labels cycled over the samples ([0, 1, 2]) or "all".</summary>
    [JsonPropertyName("class")]
    public JsonElement? Class { get; init; }

    /// <summary>Classifier-free guidance weight with <c>class</c>: 1 conditional only (default), above 1 sharper, 0 unconditional.</summary>
    public double? Guidance { get; init; }

    /// <summary>DDIM's eta in [0, 1]; default 0.</summary>
    public double? Eta { get; init; }

    /// <summary>png (a grid, the default), npy (float32 [N, C, H, W]) or json (per-sample base64 PNGs).</summary>
    public string? Format { get; init; }

    /// <summary>Server-sent events: an x0 preview every this many steps; 0 for none; default about one in ten steps.</summary>
    public int? Preview { get; init; }
}
