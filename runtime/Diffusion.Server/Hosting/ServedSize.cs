using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Schedules;
using Diffusion.Server.Batching;

namespace Diffusion.Server.Hosting;

/// <summary>
/// One sample size of a served model: the model at that size and the batcher its requests share. Rows of
/// different sizes cannot go into one model call, so each size has a batcher of its own, over the same weights.
/// </summary>
public sealed class ServedSize : IDisposable
{
    private readonly IDisposable? _owned;

    internal ServedSize(string name, LoadedModel loaded, int? maxBatchRows, IBatchObserver observer)
    {
        Model = loaded.Model;
        Rows = loaded.Rows;
        _owned = loaded.Owned;
        int rows = maxBatchRows ?? DiffusionServerOptions.DefaultMaxBatchRows(Model.SampleShape.Size);
        Batcher = new StepBatcher(Rows, Model.SampleShape.Size, rows, name, observer);
    }

    /// <summary>The model at this size: its config, schedule and shape.</summary>
    public IDiffusionModel Model { get; }

    /// <summary>Evaluates rows of this size at their own points.</summary>
    public IRowDenoiser Rows { get; }

    /// <summary>Shares model calls between the requests in flight at this size.</summary>
    public StepBatcher Batcher { get; }

    /// <summary>A model for one request: the batcher's denoisers, with <paramref name="observer"/> seeing every x0 estimate.</summary>
    public BatchedModel ForRequest(Action<ReadOnlyMemory<float>, TimePoint>? observer) => new(Model, Rows, Batcher, observer);

    /// <summary>Stops the batcher (after the requests attached to it finish) and frees what this size owns.</summary>
    public void Dispose()
    {
        Batcher.Dispose();
        _owned?.Dispose();
    }
}
