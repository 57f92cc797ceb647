namespace Diffusion.Runtime.Models;

/// <summary>How to load a model. Bindable from configuration (every member is a plain value).</summary>
public sealed record ModelLoadOptions
{
    /// <summary>
    /// <c>auto</c> (CUDA when it loads, else the CPU, logging why), <c>cpu</c>, <c>cuda</c> or
    /// <c>cuda:N</c> (an error when CUDA cannot be used).
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>Threads of the CPU provider's intra-op pool, 1 to <see cref="MaxThreads"/>; null lets ONNX Runtime choose.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// ONNX Runtime session config entries (<c>SessionOptions.AddSessionConfigEntry</c>), e.g.
    /// <c>session.intra_op.allow_spinning</c> = <c>0</c> so the intra-op pool sleeps between calls instead of spinning;
    /// null or empty for ONNX Runtime's defaults.
    /// </summary>
    public IReadOnlyDictionary<string, string>? SessionConfigEntries { get; init; }

    /// <summary>A scheduler config file that overrides the embedded one and any beside the model.</summary>
    public string? SchedulerConfigPath { get; init; }

    /// <summary>
    /// Height of the samples to generate; null for the model's own size (its <c>sample</c> input, else the
    /// config's <c>sample_size</c>). Another size needs a model whose <c>sample</c> input has dynamic height
    /// and width (a fully convolutional network), and a multiple of its <c>sample_size_multiple</c> metadata.
    /// </summary>
    public int? Height { get; init; }

    /// <summary>Width of the samples to generate; null for the model's own size (see <see cref="Height"/>).</summary>
    public int? Width { get; init; }

    /// <summary>Most values one sample may hold (channels x height x width) when <see cref="Height"/> or <see cref="Width"/> is set.</summary>
    public int MaxSampleValues { get; init; } = 1 << 24;

    /// <summary>Most threads <see cref="Threads"/> accepts; raise it for a machine with more cores.</summary>
    public int MaxThreads { get; init; } = 1_024;

    /// <summary>Most <c>num_train_timesteps</c> a model's scheduler config may declare; raise it for a model trained on a finer grid.</summary>
    public int MaxTrainTimesteps { get; init; } = SchedulerConfig.DefaultMaxTrainTimesteps;

    /// <summary>Throws <see cref="DiffusionRequestException"/> naming the member that is out of range.</summary>
    public void Validate()
    {
        ExecutionDevice.Parse(Device);
        if (Threads is { } threads && (threads < 1 || threads > MaxThreads))
            throw new DiffusionRequestException($"ModelLoadOptions.Threads must lie in 1 to {MaxThreads} (ModelLoadOptions.MaxThreads), got {threads}.",
                nameof(ModelLoadOptions) + "." + nameof(Threads));
        foreach (var (name, value) in new[] { (nameof(Height), Height), (nameof(Width), Width) })
        {
            if (value is < 1)
                throw new DiffusionRequestException($"ModelLoadOptions.{name} must be at least 1, got {value}.", nameof(ModelLoadOptions) + "." + name);
        }
    }
}
