using System.Diagnostics.Metrics;

namespace Diffusion.Server.Hosting;

/// <summary>
/// The server's instruments (meter <c>Diffusion.Server</c>), every one tagged with the model name
/// (<c>model</c>). They publish the same figures as <c>/v1/stats</c>, which reads them from
/// <see cref="ModelStats"/>.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    /// <summary>The meter's name, for listeners and exporters.</summary>
    public const string MeterName = "Diffusion.Server";

    private readonly Meter _meter;

    /// <summary>Creates the instruments on a meter from <paramref name="meters"/>.</summary>
    public ServerMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        Requests = _meter.CreateCounter<long>("diffusion.server.requests", "{request}", "requests completed, by outcome");
        Images = _meter.CreateCounter<long>("diffusion.server.images", "{image}", "samples generated");
        ModelCalls = _meter.CreateCounter<long>("diffusion.server.model_calls", "{call}", "model calls (one per tick, shared by every request in it)");
        Rows = _meter.CreateCounter<long>("diffusion.server.rows", "{row}", "rows evaluated by model calls");
        BatchRows = _meter.CreateHistogram<int>("diffusion.server.batch.rows", "{row}", "rows per model call (batch occupancy)");
        RequestDuration = _meter.CreateHistogram<double>("diffusion.server.request.duration", "s", "time from admission to result");
        Rejected = _meter.CreateCounter<long>("diffusion.server.rejected", "{request}", "requests refused with 429 because the queue was full");
    }

    /// <summary>Requests completed (tag <c>outcome</c>: ok, cancelled, failed).</summary>
    public Counter<long> Requests { get; }

    /// <summary>Samples generated.</summary>
    public Counter<long> Images { get; }

    /// <summary>Model calls.</summary>
    public Counter<long> ModelCalls { get; }

    /// <summary>Rows evaluated.</summary>
    public Counter<long> Rows { get; }

    /// <summary>Rows per model call.</summary>
    public Histogram<int> BatchRows { get; }

    /// <summary>Seconds per request.</summary>
    public Histogram<double> RequestDuration { get; }

    /// <summary>Requests refused with 429.</summary>
    public Counter<long> Rejected { get; }

    /// <summary>Adds the queue gauges of the served models.</summary>
    public void ObserveQueues(IReadOnlyList<ServedModel> models)
    {
        _meter.CreateObservableGauge("diffusion.server.queue.length",
            () => models.Select(m => new Measurement<int>(m.Admission.Queued, new KeyValuePair<string, object?>("model", m.Name))),
            "{request}", "requests waiting for admission");
        _meter.CreateObservableGauge("diffusion.server.in_flight",
            () => models.Select(m => new Measurement<int>(m.Admission.InFlight, new KeyValuePair<string, object?>("model", m.Name))),
            "{request}", "requests generating");
        _meter.CreateObservableGauge("diffusion.server.pending_rows",
            () => models.Select(m => new Measurement<int>(m.PendingRows, new KeyValuePair<string, object?>("model", m.Name))),
            "{row}", "rows waiting for the next model call");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
