using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Training.Training;

/// <summary>
/// A libtorch network as the runtime's <see cref="Generator"/> sees it: the same
/// <see cref="IDiffusionModel"/> an exported ONNX model is, so every runtime sampler runs on a
/// network still in training (previews) with the config it will be exported with.
/// </summary>
public sealed class TorchDiffusionModel : IDiffusionModel
{
    /// <summary>Wraps <paramref name="network"/> (not owned) trained for <paramref name="config"/>.</summary>
    /// <exception cref="DiffusionException">The network does not take samples of <paramref name="sampleShape"/>.</exception>
    public TorchDiffusionModel(DenoisingNetwork network, SchedulerConfig config, SampleShape sampleShape)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        network.CheckAccepts(sampleShape);
        Network = network;
        Config = config;
        Schedule = config.CreateSchedule();
        SampleShape = sampleShape;
    }

    /// <summary>The network sampled.</summary>
    public DenoisingNetwork Network { get; }

    /// <inheritdoc />
    public SchedulerConfig Config { get; }

    /// <inheritdoc />
    public NoiseSchedule Schedule { get; }

    /// <inheritdoc />
    public SampleShape SampleShape { get; }

    /// <summary>True for networks trained on DDPM's integer index, so sampling paths stay on the training grid.</summary>
    public bool IntegerTimesteps => Config.TimestepInput == TimestepInput.Index;

    /// <inheritdoc />
    public IDenoiser CreateDenoiser(int batchSize, ReadOnlyMemory<long>? classLabels, CancellationToken cancellation)
    {
        if (batchSize < 1) throw new DiffusionException($"batch size must be at least 1, got {batchSize}.");
        if (classLabels is { } labels)
        {
            if (Network.NumClasses is not { } classes)
                throw new DiffusionException("class labels were given, but this network is not class-conditional.");
            if (labels.Length != batchSize)
                throw new DiffusionException($"{labels.Length} class labels were given for a batch of {batchSize}.");
            foreach (long label in labels.Span)
                if (label < 0 || label > classes)
                    throw new DiffusionException($"class label {label} is out of range: this model has classes 0 to {classes - 1} and the null label {classes}.");
        }
        return new TorchDenoiser(this, batchSize, classLabels?.ToArray(), cancellation);
    }
}
