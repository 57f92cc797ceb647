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
    /// <summary>The session config entry a served model gets unless its options set it: the intra-op pool's threads would
    /// spin between calls, taking the cores from the request threads that prepare the next tick's rows; they sleep instead.</summary>
    public const string AllowSpinningKey = "session.intra_op.allow_spinning";

    /// <summary>An ONNX model file (or diffusers-layout directory), loaded with <paramref name="options"/> (and
    /// <see cref="AllowSpinningKey"/> = 0 unless they set it).</summary>
    public static ModelRegistration Onnx(string name, string path, ModelLoadOptions? options = null) => new(name, loggers =>
    {
        options ??= new ModelLoadOptions();
        var entries = new Dictionary<string, string>(options.SessionConfigEntries ?? new Dictionary<string, string>());
        entries.TryAdd(AllowSpinningKey, "0");
        var model = OnnxDiffusionModel.Load(path, options with { SessionConfigEntries = entries }, loggers);
        try
        {
            // The batcher runs rows, each at its own timestep, through the model's own session; so do other sizes' batchers.
            var rows = new OnnxRowDenoiser(model);
            return new LoadedModel(model, rows, model.ModelPath, new Owned(rows, model))
            {
                SizeMultiple = model.SizeMultiple ?? 1,
                Resize = model.SizeMultiple is null ? null : (height, width) =>
                {
                    var view = model.WithSampleSize(height, width);
                    var viewRows = new OnnxRowDenoiser(view);
                    return new LoadedModel(view, viewRows, model.ModelPath, viewRows);
                },
            };
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
public sealed record LoadedModel(IDiffusionModel Model, IRowDenoiser Rows, string Source, IDisposable? Owned = null)
{
    /// <summary>
    /// The same model at another height and width (a fully convolutional network), sharing its weights; null when it
    /// has one size. Throws <see cref="Runtime.DiffusionRequestException"/> naming <c>height</c> or <c>width</c> for a
    /// size it cannot take. What it returns is disposed (its <see cref="Owned"/>) before this model's.
    /// </summary>
    public Func<int, int, LoadedModel>? Resize { get; init; }

    /// <summary>With <see cref="Resize"/>: the number a height and width must be multiples of (1: any).</summary>
    public int SizeMultiple { get; init; } = 1;
}
