using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diffusion.Server.Api;

/// <summary>The body of <c>POST /v1/generate</c>: what to generate. Every member is optional.</summary>
public sealed class GenerateRequest
{
    /// <summary>The served model's name; default the first model.</summary>
    public string? Model { get; init; }

    /// <summary>A sampler of <c>GET /v1/samplers</c> (restart, dpmpp-sde, dpmpp, unipc, ddim, ...); default the one the model's scheduler config names, else restart.</summary>
    public string? Sampler { get; init; }

    /// <summary>Number of steps; default 12 (<c>GenerationOptions.DefaultSteps</c>).</summary>
    public int? Steps { get; init; }

    /// <summary>Fully convolutional models: the samples' height, a multiple of the model's <c>sizeMultiple</c> (<c>GET /v1/models</c>); default its own.</summary>
    public int? Height { get; init; }

    /// <summary>Fully convolutional models: the samples' width, as <see cref="Height"/>; default the model's own.</summary>
    public int? Width { get; init; }

    /// <summary>Number of samples; default 1.</summary>
    public int? Count { get; init; }

    /// <summary>Seed: sample i depends only on (seed, i), as for <c>diffusion sample --seed</c>; default 0.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Class-conditional models: a label (3), labels cycled over the samples ([0, 1, 2]) or "all".</summary>
    [JsonPropertyName("class")]
    public JsonElement? Class { get; init; }

    /// <summary>Classifier-free guidance weight with <c>class</c>: 1 conditional only (default), above 1 sharper, 0 unconditional.</summary>
    public double? Guidance { get; init; }

    /// <summary>The noise share eta in [0, 1] of ddim, euler-ancestral and dpmpp-sde; default 0 for ddim, 1 for the others.</summary>
    public double? Eta { get; init; }

    /// <summary>dpmpp, dpmpp-sde, unipc and restart: the solver's order, 1 to 3 (dpmpp-sde: 1 or 2); default the config's solver_order, else 2.</summary>
    public int? Order { get; init; }

    /// <summary>Timestep spacing: leading, trailing, linspace, karras or uniform; default the model's config.</summary>
    public string? Spacing { get; init; }

    /// <summary>per-sample (default: sample i depends only on (seed, i)) or torch (torch.manual_seed(seed) then torch.randn over the whole request, as a diffusers pipeline draws).</summary>
    public string? Noise { get; init; }

    /// <summary>png (a grid, the default), npy (float32 [N, C, H, W]) or json (per-sample base64 PNGs).</summary>
    public string? Format { get; init; }

    /// <summary>Server-sent events: an x0 preview every this many steps; 0 for none; default about one in ten steps.</summary>
    public int? Preview { get; init; }
}
