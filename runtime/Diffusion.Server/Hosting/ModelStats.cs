using Diffusion.Server.Batching;

namespace Diffusion.Server.Hosting;

/// <summary>
/// One model's figures since the server started, counted once and published twice: as the
/// <see cref="ServerMetrics"/> instruments and through <c>/v1/stats</c>.
/// </summary>
public sealed class ModelStats : IBatchObserver
{
    private readonly ServerMetrics _metrics;
    private readonly KeyValuePair<string, object?> _tag;
    private long _requests, _images, _modelCalls, _rows, _rejected, _cancelled, _failed;
    private double _meanRequestSeconds;

    /// <summary>Counts for the model called <paramref name="model"/>.</summary>
    public ModelStats(string model, ServerMetrics metrics)
    {
        _metrics = metrics;
        _tag = new("model", model);
    }

    /// <summary>Requests completed with a result.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Samples generated.</summary>
    public long Images => Interlocked.Read(ref _images);

    /// <summary>Model calls.</summary>
    public long ModelCalls => Interlocked.Read(ref _modelCalls);

    /// <summary>Rows evaluated.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Requests refused with 429.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Requests whose client went away.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Requests that failed in the model.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Mean rows per model call (0 before the first).</summary>
    public double MeanBatchRows => ModelCalls == 0 ? 0 : (double)Rows / ModelCalls;

    /// <summary>A running mean of request durations, in seconds (for Retry-After).</summary>
    public double MeanRequestSeconds => Volatile.Read(ref _meanRequestSeconds);

    /// <inheritdoc />
    public void TickCompleted(int rows, int modelCalls, TimeSpan elapsed)
    {
        Interlocked.Add(ref _modelCalls, modelCalls);
        Interlocked.Add(ref _rows, rows);
        _metrics.ModelCalls.Add(modelCalls, _tag);
        _metrics.Rows.Add(rows, _tag);
        _metrics.BatchRows.Record(rows, _tag);
    }

    /// <summary>A request finished with <paramref name="images"/> samples after <paramref name="elapsed"/>.</summary>
    public void Completed(int images, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _images, images);
        _metrics.Requests.Add(1, _tag, new("outcome", "ok"));
        _metrics.Images.Add(images, _tag);
        _metrics.RequestDuration.Record(elapsed.TotalSeconds, _tag);
        double mean = Volatile.Read(ref _meanRequestSeconds);
        Volatile.Write(ref _meanRequestSeconds, mean == 0 ? elapsed.TotalSeconds : 0.8 * mean + 0.2 * elapsed.TotalSeconds);
    }

    /// <summary>A request's client went away.</summary>
    public void CancelledOne()
    {
        Interlocked.Increment(ref _cancelled);
        _metrics.Requests.Add(1, _tag, new("outcome", "cancelled"));
    }

    /// <summary>A request failed in the model.</summary>
    public void FailedOne()
    {
        Interlocked.Increment(ref _failed);
        _metrics.Requests.Add(1, _tag, new("outcome", "failed"));
    }

    /// <summary>A request was refused: the queue was full.</summary>
    public void RejectedOne()
    {
        Interlocked.Increment(ref _rejected);
        _metrics.Rejected.Add(1, _tag);
    }

}
