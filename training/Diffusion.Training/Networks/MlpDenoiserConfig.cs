using System.Text.Json;

namespace Diffusion.Training.Networks;

/// <summary>How an <see cref="MlpDenoiser"/> conditions on time.</summary>
public enum TimeConditioning
{
    /// <summary>The time embedding (width = hidden width) is added to every hidden layer's pre-activation.</summary>
    Add,
    /// <summary>The time embedding is concatenated with the input of the first layer.</summary>
    Concat,
}

/// <summary>The shape of an <see cref="MlpDenoiser"/> for low-dimensional data; serialisable to JSON.</summary>
public sealed record MlpDenoiserConfig
{
    /// <summary>Dimension D of a data point (2 for the toy 2-D sets).</summary>
    public int DataDimension { get; init; } = 2;

    /// <summary>Width of every hidden layer.</summary>
    public int HiddenWidth { get; init; } = 128;

    /// <summary>Number of hidden layers (at least 1).</summary>
    public int Depth { get; init; } = 3;

    /// <summary>Width of the sinusoidal timestep features (even).</summary>
    public int TimeEmbeddingDim { get; init; } = 64;

    /// <summary>How the time embedding enters the network.</summary>
    public TimeConditioning TimeConditioning { get; init; } = TimeConditioning.Add;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistency.</summary>
    public void Validate()
    {
        if (DataDimension < 1) throw Invalid($"DataDimension must be positive, got {DataDimension}");
        if (HiddenWidth < 1) throw Invalid($"HiddenWidth must be positive, got {HiddenWidth}");
        if (Depth < 1) throw Invalid($"Depth must be at least 1 hidden layer, got {Depth}");
        if (TimeEmbeddingDim < 2 || TimeEmbeddingDim % 2 != 0) throw Invalid($"TimeEmbeddingDim must be even and at least 2, got {TimeEmbeddingDim}");
    }

    private static ArgumentException Invalid(string message) => new($"MLP denoiser config: {message}");

    /// <summary>The configuration as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, NetworkJson.Options);

    /// <summary>Reads a configuration written by <see cref="ToJson"/>.</summary>
    public static MlpDenoiserConfig FromJson(string json) => NetworkJson.Read<MlpDenoiserConfig>(json);
}
