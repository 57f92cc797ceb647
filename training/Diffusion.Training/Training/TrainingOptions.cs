using Diffusion.Runtime;
using Diffusion.Runtime.Samplers;
using Diffusion.Torch.Optim;

namespace Diffusion.Training.Training;

/// <summary>
/// How to train: optimisation, averaging, schedule of checkpoints and previews. Stored in every
/// checkpoint; the defaults suit short runs on a CPU.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The step to stop at (the total, counting the steps of a resumed run).</summary>
    public long Steps { get; init; } = 5000;

    /// <summary>Samples per minibatch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>The learning rate after warm-up.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>adam or adamw (decoupled weight decay).</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>Weight decay: an L2 term for adam, decoupled decay for adamw.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Steps over which the learning rate rises linearly from 0.</summary>
    public long WarmupSteps { get; init; } = 100;

    /// <summary>What the learning rate does after warm-up: stay, or fall along a half cosine to 0 at <see cref="Steps"/>
    /// (a resumed run with more steps stretches the cosine to the new total). Checkpoints written before the setting
    /// existed read as <see cref="LearningRateDecay.Constant"/>, what they trained with.</summary>
    public LearningRateDecay LearningRateDecay { get; init; }

    /// <summary>Gradients are scaled down to this global L2 norm when above it; null disables clipping.</summary>
    public double? GradClip { get; init; } = 1.0;

    /// <summary>The largest EMA decay (see <see cref="ExponentialMovingAverage"/>).</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>The seed of the initial weights, the minibatches and every step's noise.</summary>
    public ulong Seed { get; init; }

    /// <summary>A checkpoint is written every this many steps (and at the end).</summary>
    public long CheckpointEvery { get; init; } = 1000;

    /// <summary>A preview of samples is drawn every this many steps (and at the end); 0 disables previews.</summary>
    public long PreviewEvery { get; init; } = 1000;

    /// <summary>Samples in a preview (points of a scatter plot, or tiles of an image grid).</summary>
    public int PreviewCount { get; init; } = 1000;

    /// <summary>The runtime sampler previews use; null for the objective's natural one.</summary>
    public string? PreviewSampler { get; init; }

    /// <summary>Sampler steps of a preview.</summary>
    public int PreviewSteps { get; init; } = 50;

    /// <summary>The mean loss is logged every this many steps.</summary>
    public long LogEvery { get; init; } = 100;

    /// <summary>Train on the dataset's class labels (classifier-free guidance needs <see cref="LabelDropout"/> &gt; 0).</summary>
    public bool ClassConditional { get; init; }

    /// <summary>The probability that a label is replaced by the null label (num_classes), so that one
    /// network also learns the unconditional model (Ho &amp; Salimans 2022).</summary>
    public double LabelDropout { get; init; } = 0.1;

    /// <summary>Largest batch accepted: far above what fits a CPU step, small enough that batch x sample size stays well inside 64-bit sizes.</summary>
    public const int MaxBatchSize = 65_536;

    /// <summary>Throws a <see cref="DiffusionException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Steps < 1) throw Invalid($"steps must be at least 1, got {Steps}");
        if (BatchSize is < 1 or > MaxBatchSize) throw Invalid($"batch size must lie in 1 to {MaxBatchSize}, got {BatchSize}");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw Invalid($"learning rate must be positive and finite, got {LearningRate}");
        if (Optimizer is not ("adam" or "adamw")) throw Invalid($"unknown optimizer '{Optimizer}': use adam or adamw");
        if (!(WeightDecay >= 0)) throw Invalid($"weight decay must be 0 or more, got {WeightDecay}");
        if (WarmupSteps < 0) throw Invalid($"warm-up steps must be 0 or more, got {WarmupSteps}");
        if (!Enum.IsDefined(LearningRateDecay)) throw Invalid($"unknown learning-rate decay {LearningRateDecay}: use constant or cosine");
        if (GradClip is { } clip && !(clip > 0)) throw Invalid($"the gradient clipping norm must be positive, got {clip}");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw Invalid($"EMA decay must lie in [0, 1), got {EmaDecay}");
        if (CheckpointEvery < 1) throw Invalid($"the checkpoint interval must be at least 1 step, got {CheckpointEvery}");
        if (PreviewEvery < 0) throw Invalid($"the preview interval must be 0 (off) or more, got {PreviewEvery}");
        if (PreviewCount is < 1 or > 1_024) throw Invalid($"a preview has 1 to 1024 samples, got {PreviewCount}");
        if (PreviewSteps is < 1 or > 10_000) throw Invalid($"a preview takes 1 to 10000 sampler steps, got {PreviewSteps}");
        if (PreviewSampler is { } sampler && !SamplerRegistry.All.Any(s => s.Name == sampler))
            throw Invalid($"unknown preview sampler '{sampler}': use one of {string.Join(", ", SamplerRegistry.All.Select(s => s.Name))}");
        if (LogEvery < 1) throw Invalid($"the log interval must be at least 1 step, got {LogEvery}");
        if (!(LabelDropout >= 0 && LabelDropout < 1)) throw Invalid($"label dropout must lie in [0, 1), got {LabelDropout}");
    }

    private static DiffusionException Invalid(string message) => new($"training options: {message}.");
}
