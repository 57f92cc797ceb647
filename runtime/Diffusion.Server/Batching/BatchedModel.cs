using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Server.Batching;

/// <summary>
/// A model as one request sees it: the served model's config, schedule and shape, with denoisers
/// that go through the model's <see cref="StepBatcher"/>. <see cref="Generator"/> runs on it
/// unchanged, so a request generates exactly what <c>diffusion sample</c> generates with the same
/// settings; only the model call is shared.
/// </summary>
/// <param name="model">The served model (its config, schedule, shape).</param>
/// <param name="rows">Evaluates rows; tells whether the model takes class labels.</param>
/// <param name="batcher">The model's batcher.</param>
/// <param name="observer">Sees every evaluation's x0 rows; null for none.</param>
public sealed class BatchedModel(IDiffusionModel model, IRowDenoiser rows, StepBatcher batcher,
    Action<ReadOnlyMemory<float>, TimePoint>? observer = null) : IDiffusionModel
{
    /// <inheritdoc />
    public SchedulerConfig Config => model.Config;

    /// <inheritdoc />
    public NoiseSchedule Schedule => model.Schedule;

    /// <inheritdoc />
    public SampleShape SampleShape => model.SampleShape;

    /// <inheritdoc />
    public bool IntegerTimesteps => model.IntegerTimesteps;

    /// <inheritdoc />
    public IDenoiser CreateDenoiser(int batchSize, ReadOnlyMemory<long>? classLabels, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long[]? labels = ClassLabelInput.Resolve(Config, rows.TakesClassLabels, batchSize, classLabels);
        return new BatchingDenoiser(batcher, batchSize, SampleShape.Size, labels, cancellation, observer);
    }
}
