namespace Diffusion.Server.Hosting;

/// <summary>What a server serves and within which limits.</summary>
public sealed class DiffusionServerOptions
{
    /// <summary>The models, by name; the first is the default of a request that names none.</summary>
    public List<ModelRegistration> Models { get; } = [];

    /// <summary>Limits on requests and work in flight.</summary>
    public ServerLimits Limits { get; init; } = new();

    /// <summary>
    /// True (the default): requests in flight on a model share its model calls, step by step.
    /// False: one request at a time per model (the baseline the benchmark compares against).
    /// </summary>
    public bool Batching { get; init; } = true;

    /// <summary>Most rows per model call, for every model; null picks a default from each model's sample size (<see cref="DefaultMaxBatchRows"/>).</summary>
    public int? MaxBatchRows { get; init; }

    /// <summary>The default batch bound for samples of <paramref name="sampleSize"/> values: about 64K values per call, 8 to 256 rows, a power of two.</summary>
    public static int DefaultMaxBatchRows(int sampleSize)
    {
        int rows = Math.Clamp(65536 / Math.Max(1, sampleSize), 8, 256);
        return 1 << (31 - int.LeadingZeroCount(rows));
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the option out of range.</summary>
    public void Validate()
    {
        if (Models.Count == 0) throw new ArgumentException("serve at least one model.", nameof(Models));
        var duplicate = Models.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"model name '{duplicate.Key}' is given twice.", nameof(Models));
        if (MaxBatchRows is < 1) throw new ArgumentException($"the batch bound must be at least 1 row, got {MaxBatchRows}.", nameof(MaxBatchRows));
        Limits.Validate();
    }
}

/// <summary>Limits that keep the server up under any load: what one request may ask, and how much waits.</summary>
public sealed record ServerLimits
{
    /// <summary>Most samples one request may ask for.</summary>
    public int MaxCount { get; init; } = 16;

    /// <summary>Most steps one request may ask for.</summary>
    public int MaxSteps { get; init; } = 1000;

    /// <summary>Largest request body, in bytes.</summary>
    public int MaxBodyBytes { get; init; } = 16 * 1024;

    /// <summary>Requests generating at once per model; the rest wait in the queue.</summary>
    public int MaxInFlight { get; init; } = 64;

    /// <summary>Requests waiting per model; a request beyond it gets 429 with Retry-After.</summary>
    public int MaxQueue { get; init; } = 256;

    /// <summary>Largest classifier-free guidance weight.</summary>
    public double MaxGuidance { get; init; } = 50;

    /// <summary>Most values (channels x height x width) one sample may hold when a request asks a fully convolutional model for another size.</summary>
    public int MaxSampleValues { get; init; } = 3 * 256 * 256;

    /// <summary>Most sample sizes served per model, its own included: each size keeps its own batcher (a thread and its buffers) until the server stops.</summary>
    public int MaxSizesPerModel { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> naming the limit out of range.</summary>
    public void Validate()
    {
        if (MaxCount < 1) throw new ArgumentException($"MaxCount must be at least 1, got {MaxCount}.", nameof(MaxCount));
        if (MaxSteps < 1) throw new ArgumentException($"MaxSteps must be at least 1, got {MaxSteps}.", nameof(MaxSteps));
        if (MaxBodyBytes < 256) throw new ArgumentException($"MaxBodyBytes must be at least 256, got {MaxBodyBytes}.", nameof(MaxBodyBytes));
        if (MaxInFlight < 1) throw new ArgumentException($"MaxInFlight must be at least 1, got {MaxInFlight}.", nameof(MaxInFlight));
        if (MaxQueue < 0) throw new ArgumentException($"MaxQueue must be 0 or more, got {MaxQueue}.", nameof(MaxQueue));
        if (MaxSampleValues < 1) throw new ArgumentException($"MaxSampleValues must be at least 1, got {MaxSampleValues}.", nameof(MaxSampleValues));
        if (MaxSizesPerModel < 1) throw new ArgumentException($"MaxSizesPerModel must be at least 1, got {MaxSizesPerModel}.", nameof(MaxSizesPerModel));
    }
}
