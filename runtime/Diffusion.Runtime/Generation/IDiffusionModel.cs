using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Generation;

/// <summary>
/// A trained noise predictor as generation sees it: its config, its noise process, the shape of
/// its samples, and denoisers over it. The ONNX model implements it; so do the tests' exact
/// Gaussian-mixture model and the trainer's libtorch model.
/// </summary>
public interface IDiffusionModel
{
    /// <summary>What the model means.</summary>
    SchedulerConfig Config { get; }

    /// <summary>The model's noise process.</summary>
    NoiseSchedule Schedule { get; }

    /// <summary>The shape of one sample.</summary>
    SampleShape SampleShape { get; }

    /// <summary>True when the model's timestep input takes only whole numbers.</summary>
    bool IntegerTimesteps { get; }

    /// <summary>
    /// A denoiser for batches of <paramref name="batchSize"/> samples; <paramref name="classLabels"/>
    /// (one per sample, or null) conditions class-conditional models.
    /// </summary>
    IDenoiser CreateDenoiser(int batchSize, ReadOnlyMemory<long>? classLabels, CancellationToken cancellation);
}
