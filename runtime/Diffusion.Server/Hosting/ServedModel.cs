using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Server.Batching;

namespace Diffusion.Server.Hosting;

/// <summary>
/// A model being served: what it is, its admission queue and its figures, and a batcher per sample size
/// (<see cref="At"/>): its own, and the others requests ask a fully convolutional model for.
/// </summary>
public sealed class ServedModel : IDisposable
{
    private readonly ServedSize _own;
    private readonly Dictionary<(int Height, int Width), ServedSize> _sizes = [];
    private readonly Func<int, int, LoadedModel>? _resize;
    private readonly int? _maxBatchRows;
    private readonly ServerLimits _limits;
    private bool _disposed;

    /// <summary>Serves <paramref name="loaded"/> as <paramref name="name"/>.</summary>
    public ServedModel(string name, LoadedModel loaded, DiffusionServerOptions options, ServerMetrics metrics)
    {
        Name = name;
        Source = loaded.Source;
        Stats = new ModelStats(name, metrics);
        _resize = loaded.Resize;
        SizeMultiple = loaded.Resize is null ? null : loaded.SizeMultiple;
        _maxBatchRows = options.MaxBatchRows;
        _limits = options.Limits;
        _own = new ServedSize(name, loaded, _maxBatchRows, Stats);
        _sizes.Add((_own.Model.SampleShape.Height, _own.Model.SampleShape.Width), _own);
        Admission = new AdmissionQueue(options.Batching ? options.Limits.MaxInFlight : 1, options.Limits.MaxQueue);
    }

    /// <summary>The name requests use.</summary>
    public string Name { get; }

    /// <summary>Its config, schedule and shape (its own size).</summary>
    public IDiffusionModel Model => _own.Model;

    /// <summary>Evaluates rows of its own size at their own points.</summary>
    public IRowDenoiser Rows => _own.Rows;

    /// <summary>Where it was loaded from.</summary>
    public string Source { get; }

    /// <summary>Shares model calls between the requests in flight at its own size.</summary>
    public StepBatcher Batcher => _own.Batcher;

    /// <summary>Most rows per model call at its own size.</summary>
    public int MaxBatchRows => _own.Batcher.MaxRows;

    /// <summary>Null when the model generates its own size only; otherwise requests may ask for a height and width that are multiples of it.</summary>
    public int? SizeMultiple { get; }

    /// <summary>Admits requests first come, first served.</summary>
    public AdmissionQueue Admission { get; }

    /// <summary>Figures since start.</summary>
    public ModelStats Stats { get; }

    /// <summary>Rows waiting for a model call now, over every size.</summary>
    public int PendingRows
    {
        get
        {
            lock (_sizes) return _sizes.Values.Sum(s => s.Batcher.PendingRows);
        }
    }

    /// <summary>The sampler a request gets when it names none: the one the model's scheduler config names, as <c>diffusion sample</c> chooses it.</summary>
    public string DefaultSampler => Runtime.Samplers.SamplerRegistry.For(null, Model.Config).Name;

    /// <summary>The steps a request gets when it names none.</summary>
    public int DefaultSteps => GenerationOptions.DefaultSteps;

    /// <summary>A model for one request at its own size: the batcher's denoisers, with <paramref name="observer"/> seeing every x0 estimate.</summary>
    public BatchedModel ForRequest(Action<ReadOnlyMemory<float>, Runtime.Schedules.TimePoint>? observer) => _own.ForRequest(observer);

    /// <summary>
    /// The model at <paramref name="height"/> x <paramref name="width"/> (null: its own of either), with a batcher of that
    /// size, started by the first request that asks for it and kept until the server stops.
    /// </summary>
    /// <exception cref="DiffusionRequestException">The model has one size; or the size is not one it can take (the
    /// network's multiple), holds more than <see cref="ServerLimits.MaxSampleValues"/> values, or would be one size
    /// more than <see cref="ServerLimits.MaxSizesPerModel"/>. The member is <c>height</c> or <c>width</c>.</exception>
    /// <exception cref="ObjectDisposedException">The server has stopped.</exception>
    public ServedSize At(int? height, int? width)
    {
        var own = Model.SampleShape;
        int h = height ?? own.Height, w = width ?? own.Width;
        string field = height is not null && height != own.Height ? "height" : "width";
        lock (_sizes)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sizes.TryGetValue((h, w), out var served)) return served;
            if (_resize is null)
                throw new DiffusionRequestException($"model '{Name}' generates {own.Height}x{own.Width} samples only (its network has a fixed height and width): leave height and width out.", field);
            if (h < 1 || w < 1) throw new DiffusionRequestException($"{field} must be at least 1, got {(field == "height" ? h : w)}.", field);
            long values = (long)own.Channels * h * w;
            if (values > _limits.MaxSampleValues)
                throw new DiffusionRequestException($"a {own.Channels}x{h}x{w} sample holds {values} values, more than this server's limit of {_limits.MaxSampleValues}: ask for a smaller size.", field);
            if (_sizes.Count >= _limits.MaxSizesPerModel)
            {
                throw new DiffusionRequestException(
                    $"model '{Name}' already serves {_sizes.Count} sizes ({string.Join(", ", _sizes.Keys.Select(k => $"{k.Height}x{k.Width}"))}), this server's limit: ask for one of them.", field);
            }
            var loaded = _resize(h, w);
            try
            {
                served = new ServedSize($"{Name} {h}x{w}", loaded, _maxBatchRows, Stats);
            }
            catch
            {
                loaded.Owned?.Dispose();
                throw;
            }
            _sizes.Add((h, w), served);
            return served;
        }
    }

    /// <summary>Stops the batchers (after the requests attached to them finish) and frees the model.</summary>
    public void Dispose()
    {
        lock (_sizes)
        {
            if (_disposed) return;
            _disposed = true;
            // Other sizes first: their views of the model must let go of it before the model itself is freed.
            foreach (var size in _sizes.Values.Where(s => s != _own)) size.Dispose();
            _own.Dispose();
        }
    }
}
