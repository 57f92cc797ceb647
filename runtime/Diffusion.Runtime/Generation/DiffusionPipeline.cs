using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Diffusion.Runtime.Diagnostics;
using Diffusion.Runtime.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Runtime.Generation;

/// <summary>
/// A model ready to generate from, the way an application uses it: synchronously, as a
/// <see cref="Task"/>, or as a stream of step events with x0 previews. Thread-safe: one pipeline
/// serves any number of concurrent generations, each deterministic in its seed. Disposing the
/// pipeline disposes the model when it owns it (<see cref="Load"/>); generations in flight then
/// fail with <see cref="ObjectDisposedException"/> instead of crashing the process.
/// </summary>
public sealed class DiffusionPipeline : IDisposable
{
    private readonly bool _ownsModel;
    private readonly ILogger _logger;

    /// <summary>Wraps <paramref name="model"/>.</summary>
    /// <param name="model">The model to generate from.</param>
    /// <param name="logger">Receives a line per generation (debug level); null logs nothing.</param>
    /// <param name="ownsModel">True to dispose <paramref name="model"/> with the pipeline.</param>
    public DiffusionPipeline(IDiffusionModel model, ILogger? logger = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _logger = logger ?? NullLogger.Instance;
        _ownsModel = ownsModel;
    }

    /// <summary>Loads an ONNX model (an .onnx file or a diffusers-layout directory) into a pipeline that owns it.</summary>
    /// <param name="path">An .onnx file, or a directory holding <c>model.onnx</c> or <c>unet/model.onnx</c>.</param>
    /// <param name="options">Device, threads and scheduler config; null for the defaults.</param>
    /// <param name="loggerFactory">Receives the load, the device chosen, any CUDA fallback and each generation; null logs nothing.</param>
    /// <exception cref="DiffusionRequestException">An option is out of range.</exception>
    /// <exception cref="DiffusionModelException">The model is missing, corrupt or not supported.</exception>
    public static DiffusionPipeline Load(string path, ModelLoadOptions? options = null, ILoggerFactory? loggerFactory = null) =>
        new(OnnxDiffusionModel.Load(path, options, loggerFactory), loggerFactory?.CreateLogger(RuntimeLog.Category), ownsModel: true);

    /// <summary>The model generated from.</summary>
    public IDiffusionModel Model { get; }

    /// <summary>Generates on the calling thread.</summary>
    /// <exception cref="DiffusionRequestException">The options are invalid or exceed their limits; nothing was run.</exception>
    /// <exception cref="DiffusionModelException">The model failed or produced NaN or infinity.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired; the model call in flight stops too.</exception>
    /// <exception cref="ObjectDisposedException">The pipeline was disposed.</exception>
    public GeneratedSamples Generate(GenerationOptions options, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default) =>
        Logged(options, () => Generator.Generate(Model, options, progress, cancellation));

    /// <summary>
    /// Generates on the thread pool: the caller's thread is free while the model runs. Invalid
    /// options fail the task with <see cref="DiffusionRequestException"/> before any model call.
    /// </summary>
    public Task<GeneratedSamples> GenerateAsync(GenerationOptions options, IProgress<GenerationProgress>? progress = null, CancellationToken cancellation = default) =>
        Task.Run(() => Generate(options, progress, cancellation), cancellation);

    /// <summary>
    /// Generates on the thread pool and streams a <see cref="GenerationStep"/> per sampler step
    /// (with the x0 estimate every <paramref name="previewEvery"/> steps and at the last; 0 for
    /// none), then one <see cref="GenerationCompleted"/>. The generation runs at most
    /// <see cref="StreamLead"/> steps ahead of the reader, so a slow reader holds back the work
    /// (and the previews it would buffer) instead of letting them pile up; leaving the enumeration
    /// early cancels the generation.
    /// </summary>
    public async IAsyncEnumerable<GenerationEvent> GenerateStreamAsync(GenerationOptions options, int previewEvery = 0,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(previewEvery);
        var events = Channel.CreateBounded<GenerationEvent>(new BoundedChannelOptions(StreamLead)
        {
            SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // The observer runs on the generation's own pool thread, so waiting there for room blocks
        // only that generation; cancelling `stop` wakes it with OperationCanceledException.
        var observer = new StepObserver(step =>
        {
            while (!events.Writer.TryWrite(step))
                events.Writer.WaitToWriteAsync(stop.Token).AsTask().GetAwaiter().GetResult();
        }, previewEvery);
        var generation = Task.Run(() =>
        {
            try
            {
                var samples = Logged(options, () => Generator.Generate(Model, options, observer, stop.Token));
                events.Writer.WriteAsync(new GenerationCompleted(samples), stop.Token).AsTask().GetAwaiter().GetResult();
                events.Writer.TryComplete();
            }
            catch (Exception e)
            {
                events.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return e;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await generation.ConfigureAwait(false);
        }
    }

    /// <summary>How many events a stream buffers before the generation waits for its reader.</summary>
    public const int StreamLead = 8;

    /// <summary>Disposes the model when the pipeline owns it.</summary>
    public void Dispose()
    {
        if (_ownsModel && Model is IDisposable disposable) disposable.Dispose();
    }

    private GeneratedSamples Logged(GenerationOptions options, Func<GeneratedSamples> generate)
    {
        long started = Stopwatch.GetTimestamp();
        var samples = generate();
        RuntimeLog.Generated(_logger, samples.Count, samples.Sampler, options.Steps, samples.ModelEvaluations,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return samples;
    }
}
