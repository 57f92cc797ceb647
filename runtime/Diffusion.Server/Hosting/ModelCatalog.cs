using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Diffusion.Server.Hosting;

/// <summary>
/// The served models: loaded when the host starts, drained and freed when it stops. Stopping
/// refuses new requests (<see cref="Stopping"/>), lets every request in flight finish, then stops
/// the batchers.
/// </summary>
public sealed partial class ModelCatalog : IHostedService, IDisposable
{
    private readonly DiffusionServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly List<ServedModel> _models = [];
    private int _running;
    private readonly object _drain = new();

    /// <summary>Loads every model of <paramref name="options"/> and starts its batcher.</summary>
    public ModelCatalog(DiffusionServerOptions options, ServerMetrics metrics, ILoggerFactory loggers)
    {
        _options = options;
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Diffusion.Server");
        try
        {
            foreach (var registration in _options.Models)
            {
                var loaded = registration.Load(_loggers);
                var served = new ServedModel(registration.Name, loaded, _options, _metrics);
                _models.Add(served);
                Loaded(_logger, served.Name, served.Source, served.Model.SampleShape.ToString(), served.MaxBatchRows, _options.Batching);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        _metrics.ObserveQueues(_models);
    }

    /// <summary>The served models, in the order given; the first is the default.</summary>
    public IReadOnlyList<ServedModel> Models => _models;

    /// <summary>True once every model is loaded and until the host starts stopping.</summary>
    public bool Ready => !Stopping;

    /// <summary>True once the host has started stopping: new requests are refused.</summary>
    public bool Stopping { get; private set; }

    /// <summary>The limits requests are checked against.</summary>
    public ServerLimits Limits => _options.Limits;

    /// <summary>True when requests share model calls.</summary>
    public bool Batching => _options.Batching;

    /// <summary>When the server started.</summary>
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    /// <summary>The model called <paramref name="name"/> (case-insensitive), or null.</summary>
    public ServedModel? Find(string name) => _models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Refuses new requests from now on (the host is stopping); those in flight go on.</summary>
    public void BeginStopping()
    {
        lock (_drain) Stopping = true;
    }

    /// <summary>Counts a request in flight until the returned scope is disposed; null when stopping.</summary>
    public IDisposable? BeginRequest()
    {
        lock (_drain)
        {
            if (Stopping) return null;
            _running++;
            return new RequestScope(this);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_drain)
        {
            Stopping = true;
        }
        // Drain: the requests in flight finish (the host's shutdown timeout bounds the wait).
        while (!cancellationToken.IsCancellationRequested)
        {
            lock (_drain)
                if (_running == 0) break;
            await Task.Delay(20, CancellationToken.None);
        }
        Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var model in _models) model.Dispose();
        _models.Clear();
    }

    private void EndRequest()
    {
        lock (_drain) _running--;
    }

    private sealed class RequestScope(ModelCatalog catalog) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) catalog.EndRequest();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "serving {Name} from {Source}: samples {Shape}, up to {MaxRows} rows per model call, batching {Batching}")]
    private static partial void Loaded(ILogger logger, string name, string source, string shape, int maxRows, bool batching);
}
