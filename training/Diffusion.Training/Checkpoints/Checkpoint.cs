using Diffusion.Training.Data.Safetensors;
using Diffusion.Training.Data.Sampling;
using Diffusion.Training.Training;

namespace Diffusion.Training.Checkpoints;

/// <summary>
/// The complete state of a run after <see cref="Step"/> steps: the run's definition, the weights,
/// their moving average, Adam's moments and step count, the minibatch sampler's position and the
/// last loss. Together with the run's seed (in its options) it is enough to continue exactly: every
/// step's randomness is a function of (seed, step) (<see cref="StepRandomness"/>).
/// Tensors are keyed by the network's dotted parameter names.
/// </summary>
public sealed record Checkpoint
{
    /// <summary>The run's definition.</summary>
    public required TrainingRun Run { get; init; }

    /// <summary>Steps completed.</summary>
    public required long Step { get; init; }

    /// <summary>Where the minibatch sampler continues.</summary>
    public required SamplerState Sampler { get; init; }

    /// <summary>The loss of the last step, or null before the first.</summary>
    public double? Loss { get; init; }

    /// <summary>The trained weights.</summary>
    public required IReadOnlyDictionary<string, SafetensorsTensor> Weights { get; init; }

    /// <summary>The exponential moving average of the weights.</summary>
    public required IReadOnlyDictionary<string, SafetensorsTensor> EmaWeights { get; init; }

    /// <summary>Adam's step count t (of its bias corrections).</summary>
    public long OptimizerStep { get; init; }

    /// <summary>Adam's first moments (only for parameters updated at least once).</summary>
    public IReadOnlyDictionary<string, SafetensorsTensor> FirstMoments { get; init; } = new Dictionary<string, SafetensorsTensor>();

    /// <summary>Adam's second moments, for the same parameters as <see cref="FirstMoments"/>.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensor> SecondMoments { get; init; } = new Dictionary<string, SafetensorsTensor>();
}
