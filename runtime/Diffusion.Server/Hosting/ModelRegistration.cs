using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Server.Batching;
using Microsoft.Extensions.Logging;

namespace Diffusion.Server.Hosting;

/// <summary>A model to serve: its name and how to load it.</summary>
/// <param name="Name">The name requests use (<c>"model": "mnist"</c>).</param>
/// <param name="Load">Loads it when the server starts.</param>
public sealed record ModelRegistration(string Name, Func<ILoggerFactory, LoadedModel> Load)
{
    /// <summary>An ONNX model file (or diffusers-layout directory), loaded with <paramref name="options"/>.</summary>
    public static ModelRegistration Onnx(string name, string path, ModelLoadOptions? options = null) => new(name, loggers =>
    {
        var model = OnnxDiffusionModel.Load(path, options, loggers);
        try
        {
            // The batcher runs the model through a session of its own, which takes a timestep per row.
            var rows = new OnnxRowDenoiser(model, options?.Threads);
            return new LoadedModel(model, rows, model.ModelPath, new Owned(rows, model));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    });
}

internal sealed class Owned(params IDisposable[] parts) : IDisposable
{
    public void Dispose()
    {
        foreach (var part in parts) part.Dispose();
    }
}

/// <summary>A loaded model: what it is and how to evaluate rows of it.</summary>
/// <param name="Model">Its config, schedule and shape.</param>
/// <param name="Rows">Evaluates rows at their own points.</param>
/// <param name="Source">Where it came from (a path), for <c>/v1/models</c>.</param>
/// <param name="Owned">Disposed when the server stops; null for none.</param>
public sealed record LoadedModel(IDiffusionModel Model, IRowDenoiser Rows, string Source, IDisposable? Owned = null);
