namespace Diffusion.Server.Api;

/// <summary>A generation's result as JSON (<c>format: json</c>, and the <c>result</c> server-sent event).</summary>
public sealed record GenerateResult
{
    /// <summary>The model's name.</summary>
    public required string Model { get; init; }

    /// <summary>The sampler.</summary>
    public required string Sampler { get; init; }

    /// <summary>Steps.</summary>
    public required int Steps { get; init; }

    /// <summary>The seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Number of samples.</summary>
    public required int Count { get; init; }

    /// <summary>The samples' tensor shape, [N, C, H, W].</summary>
    public required int[] Shape { get; init; }

    /// <summary>Class label of each sample, or null.</summary>
    public IReadOnlyList<int>? Labels { get; init; }

    /// <summary>Guidance weight.</summary>
    public double Guidance { get; init; }

    /// <summary>Model evaluations per sample (NFE).</summary>
    public int ModelEvaluations { get; init; }

    /// <summary>Seconds from admission to result.</summary>
    public double Seconds { get; init; }

    /// <summary>Each sample as a base64 PNG (image models).</summary>
    public IReadOnlyList<string>? Images { get; init; }

    /// <summary>Each sample's values (2-D point models).</summary>
    public IReadOnlyList<float[]>? Points { get; init; }

    /// <summary>All samples in one base64 PNG: a grid, or a scatter plot of points.</summary>
    public string? Grid { get; init; }
}
