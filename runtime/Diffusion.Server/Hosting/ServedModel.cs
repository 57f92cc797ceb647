using Diffusion.Runtime.Generation;
using Diffusion.Server.Batching;

namespace Diffusion.Server.Hosting;

/// <summary>A model being served: what it is, its batcher, its admission queue and its figures.</summary>
public sealed class ServedModel : IDisposable
{
    private readonly IDisposable? _owned;

    /// <summary>Serves <paramref name="loaded"/> as <paramref name="name"/>.</summary>
    public ServedModel(string name, LoadedModel loaded, DiffusionServerOptions options, ServerMetrics metrics)
    {
        Name = name;
        Model = loaded.Model;
        Rows = loaded.Rows;
        Source = loaded.Source;
        _owned = loaded.Owned;
        Stats = new ModelStats(name, metrics);
        MaxBatchRows = options.MaxBatchRows ?? DiffusionServerOptions.DefaultMaxBatchRows(Model.SampleShape.Size);
        Batcher = new StepBatcher(Rows, Model.SampleShape.Size, MaxBatchRows, name, Stats);
        MaxBatchRows = Batcher.MaxRows;
        Admission = new AdmissionQueue(options.Batching ? options.Limits.MaxInFlight : 1, options.Limits.MaxQueue);
    }

    /// <summary>The name requests use.</summary>
    public string Name { get; }

    /// <summary>Its config, schedule and shape.</summary>
    public IDiffusionModel Model { get; }

    /// <summary>Evaluates rows at their own points.</summary>
    public IRowDenoiser Rows { get; }

    /// <summary>Where it was loaded from.</summary>
    public string Source { get; }

    /// <summary>Shares model calls between the requests in flight.</summary>
    public StepBatcher Batcher { get; }

    /// <summary>Most rows per model call.</summary>
    public int MaxBatchRows { get; }

    /// <summary>Admits requests first come, first served.</summary>
    public AdmissionQueue Admission { get; }

    /// <summary>Figures since start.</summary>
    public ModelStats Stats { get; }

    /// <summary>The sampler a request gets when it names none: the one the model's scheduler config names, as <c>diffusion sample</c> chooses it.</summary>
    public string DefaultSampler => Runtime.Samplers.SamplerRegistry.For(null, Model.Config).Name;

    /// <summary>The steps a request gets when it names none.</summary>
    public int DefaultSteps => GenerationOptions.DefaultSteps;

    /// <summary>A model for one request: the batcher's denoisers, with <paramref name="observer"/> seeing every x0 estimate.</summary>
    public BatchedModel ForRequest(Action<ReadOnlyMemory<float>, Runtime.Schedules.TimePoint>? observer) => new(Model, Rows, Batcher, observer);

    /// <summary>Stops the batcher (after the requests attached to it finish) and frees the model.</summary>
    public void Dispose()
    {
        Batcher.Dispose();
        _owned?.Dispose();
    }
}
