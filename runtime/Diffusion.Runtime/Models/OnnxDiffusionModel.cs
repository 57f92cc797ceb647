using Diffusion.Runtime.Diagnostics;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using System.Diagnostics;
using Diffusion.Runtime.Schedules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Diffusion.Runtime.Models;

/// <summary>
/// A noise predictor loaded with ONNX Runtime: inputs <c>sample</c> [N, C, H, W] (float32 or
/// float16) and <c>timestep</c> (float32, float16, float64, int32 or int64; shaped [N], [1] or a
/// scalar), optionally <c>class_labels</c> int64 [N]; one output shaped like <c>sample</c>. Its
/// meaning comes from a scheduler config: given explicitly, embedded in the model's
/// <c>metadata_props</c>, or a diffusers <c>scheduler_config.json</c> beside it.
/// One loaded model serves any number of concurrent generations. <see cref="Dispose"/> is safe at
/// any time: it stops the model calls in flight (they fail with <see cref="ObjectDisposedException"/>),
/// and the native session is freed once the last denoiser using it is disposed. A fully convolutional
/// model also generates other sizes than its own: <see cref="WithSampleSize"/>.
/// </summary>
public sealed class OnnxDiffusionModel : IDiffusionModel, IDisposable
{
    private static readonly TensorElementType[] SampleTypes = [TensorElementType.Float, TensorElementType.Float16];
    private static readonly TensorElementType[] TimestepTypes =
        [TensorElementType.Float, TensorElementType.Float16, TensorElementType.Double, TensorElementType.Int64, TensorElementType.Int32];

    private readonly SharedSession _session;
    private readonly bool _ownsSession;
    private readonly IReadOnlyDictionary<string, string> _metadata;
    private readonly ModelLoadOptions _options;
    private readonly ILogger _logger;

    private OnnxDiffusionModel(InferenceSession session, string path, SchedulerConfig config, string configSource, string device,
        IReadOnlyDictionary<string, string> metadata, ModelLoadOptions options, ILogger logger)
    {
        Dataset = metadata.GetValueOrDefault(DatasetMetadataKey);
        _logger = logger;
        ModelPath = path;
        Config = config;
        ConfigSource = configSource;
        Device = device;
        Schedule = config.CreateSchedule();
        Inputs = session.InputMetadata.Select(kv => TensorSpec.From(kv.Key, kv.Value)).ToList();
        Outputs = session.OutputMetadata.Select(kv => TensorSpec.From(kv.Key, kv.Value)).ToList();
        SampleInput = Find("sample") ?? throw Missing("sample", "float32 or float16 [N, C, H, W]");
        TimestepInput = Find("timestep") ?? throw Missing("timestep", "float32, float16 or int64 [N] or [1]");
        ClassLabelsInput = Find("class_labels");
        Output = Outputs.FirstOrDefault(o => o.Name == "out_sample") ?? Outputs[0];
        Validate();
        SampleShape = SampleSize.Resolve(SampleInput, config, metadata, options, path);
        SizeMultiple = SampleSize.Multiple(SampleInput, metadata, path);
        _metadata = metadata;
        _options = options;
        _session = new SharedSession(session, $"model {path}");
        _ownsSession = true;
    }

    // A view of source at another sample shape, on its session (see WithSampleSize).
    private OnnxDiffusionModel(OnnxDiffusionModel source, SampleShape shape)
    {
        (_session, _metadata, _options, _logger) = (source._session, source._metadata, source._options, source._logger);
        (Dataset, ModelPath, Config, ConfigSource, Device, Schedule) = (source.Dataset, source.ModelPath, source.Config, source.ConfigSource, source.Device, source.Schedule);
        (Inputs, Outputs, SampleInput, TimestepInput, ClassLabelsInput, Output) = (source.Inputs, source.Outputs, source.SampleInput, source.TimestepInput, source.ClassLabelsInput, source.Output);
        SizeMultiple = source.SizeMultiple;
        SampleShape = shape;
    }

    /// <summary>The <c>metadata_props</c> key naming the data a model was trained on (e.g. <c>mnist</c>, <c>ring</c>).</summary>
    public const string DatasetMetadataKey = "dataset";

    /// <summary>
    /// The <c>metadata_props</c> key of a fully convolutional model: height and width must be multiples
    /// of it (2 to the number of times the network halves the resolution), so that every downsampled
    /// feature map meets its skip connection at the same size.
    /// </summary>
    public const string SampleSizeMultipleMetadataKey = "sample_size_multiple";

    /// <summary>The data the model was trained on, from its <c>metadata_props</c> key <c>dataset</c>; null when it does not say.</summary>
    public string? Dataset { get; }

    /// <summary>The .onnx file loaded.</summary>
    public string ModelPath { get; }

    /// <summary>Where the scheduler config came from.</summary>
    public string ConfigSource { get; }

    /// <summary>The device the session runs on (cpu or cuda:N).</summary>
    public string Device { get; }

    /// <inheritdoc />
    public SchedulerConfig Config { get; }

    /// <inheritdoc />
    public NoiseSchedule Schedule { get; }

    /// <inheritdoc />
    public SampleShape SampleShape { get; }

    /// <summary>
    /// Null when the network generates only its own height and width (its <c>sample</c> input fixes them);
    /// otherwise the number both must be multiples of (<see cref="SampleSizeMultipleMetadataKey"/>; 1 when the
    /// model does not say) for <see cref="ModelLoadOptions.Height"/> and <see cref="WithSampleSize"/>.
    /// </summary>
    public int? SizeMultiple { get; }

    /// <inheritdoc />
    public bool IntegerTimesteps => TimestepInput.ElementType is TensorElementType.Int64 or TensorElementType.Int32;

    /// <summary>All declared inputs.</summary>
    public IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>All declared outputs.</summary>
    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>The <c>sample</c> input.</summary>
    public TensorSpec SampleInput { get; }

    /// <summary>The <c>timestep</c> input.</summary>
    public TensorSpec TimestepInput { get; }

    /// <summary>The <c>class_labels</c> input, when the model is class-conditional.</summary>
    public TensorSpec? ClassLabelsInput { get; }

    /// <summary>The output used (<c>out_sample</c>, else the first).</summary>
    public TensorSpec Output { get; }

    /// <summary>The session, for benchmarks that time it directly (take a reference while using it).</summary>
    internal SharedSession Session => _session;

    /// <summary>The declared batch size, or null when it is dynamic.</summary>
    public int? FixedBatchSize => SampleInput.Dimensions[0] > 0 ? SampleInput.Dimensions[0] : null;

    /// <summary>Loads a model from an .onnx file or a diffusers-layout directory.</summary>
    /// <param name="path">An .onnx file, or a directory holding <c>model.onnx</c> or <c>unet/model.onnx</c>.</param>
    /// <param name="options">Device, threads, scheduler config; null for the defaults.</param>
    /// <param name="loggerFactory">Receives the load, the device chosen and any CUDA fallback (category <c>Diffusion.Runtime</c>); null logs nothing.</param>
    /// <exception cref="DiffusionRequestException">An option is out of range.</exception>
    /// <exception cref="DiffusionModelException">The model or its config is missing, corrupt or not supported; or CUDA was required and is missing.</exception>
    public static OnnxDiffusionModel Load(string path, ModelLoadOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ModelLoadOptions();
        var logger = loggerFactory?.CreateLogger(RuntimeLog.Category) ?? NullLogger.Instance;
        long started = Stopwatch.GetTimestamp();
        var (modelFile, searchDirs) = ModelFiles.Resolve(path);
        var (session, device) = OnnxSessions.Open(modelFile, options, logger);
        try
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            var (config, source) = ModelFiles.FindConfig(options.SchedulerConfigPath, metadata, modelFile, searchDirs, options.MaxTrainTimesteps);
            var model = new OnnxDiffusionModel(session, modelFile, config, source, device.ToString(), metadata, options, logger);
            RuntimeLog.ModelLoaded(logger, modelFile, model.Device, Stopwatch.GetElapsedTime(started).TotalMilliseconds, model.SampleShape.ToString(), source);
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public IDenoiser CreateDenoiser(int batchSize, ReadOnlyMemory<long>? classLabels, CancellationToken cancellation)
    {
        ObjectDisposedException.ThrowIf(_session.IsClosed, this);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "a batch holds at least one sample.");
        if (FixedBatchSize is { } fixedBatch && batchSize != fixedBatch)
            throw new DiffusionRequestException($"this model's batch size is fixed at {fixedBatch}: set GenerationOptions.BatchSize to {fixedBatch} and a GenerationOptions.Count that is a multiple of it.", "GenerationOptions.BatchSize");
        long[]? labels = ClassLabelInput.Resolve(Config, ClassLabelsInput is not null, batchSize, classLabels);
        if (TimestepInput.Rank == 1 && TimestepInput.Dimensions[0] > 1 && TimestepInput.Dimensions[0] != batchSize)
            throw new DiffusionRequestException($"input {TimestepInput} does not fit a batch of {batchSize}: set GenerationOptions.BatchSize to {TimestepInput.Dimensions[0]}.", "GenerationOptions.BatchSize");
        return new OnnxDenoiser(_session, this, batchSize, labels, cancellation);
    }

    /// <summary>
    /// This model generating <paramref name="height"/> x <paramref name="width"/> samples: a view on the same
    /// session (no second copy of the weights), checked as <see cref="ModelLoadOptions.Height"/> and
    /// <see cref="ModelLoadOptions.Width"/> are at load. The view owns nothing: disposing it does nothing, and
    /// disposing this model stops the view's calls too. A server uses it to serve several sizes of one model.
    /// </summary>
    /// <param name="height">The samples' height.</param>
    /// <param name="width">The samples' width.</param>
    /// <exception cref="DiffusionRequestException">The model has a fixed size, a size is not a multiple of
    /// <see cref="SizeMultiple"/>, or the sample would hold more than <see cref="ModelLoadOptions.MaxSampleValues"/> values.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public OnnxDiffusionModel WithSampleSize(int height, int width)
    {
        ObjectDisposedException.ThrowIf(_session.IsClosed, this);
        foreach (var (name, value) in new[] { (nameof(height), height), (nameof(width), width) })
            if (value < 1) throw new DiffusionRequestException($"{name} must be at least 1, got {value}.", name);
        if (height == SampleShape.Height && width == SampleShape.Width) return new OnnxDiffusionModel(this, SampleShape);
        var shape = SampleSize.Resolve(SampleInput, Config, _metadata, _options with { Height = height, Width = width }, ModelPath,
            new SampleSize.Names(nameof(height), nameof(width)));
        return new OnnxDiffusionModel(this, shape);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_ownsSession || _session.IsClosed) return;
        int running = _session.Close();
        RuntimeLog.ModelDisposed(_logger, ModelPath, running);
    }

    private TensorSpec? Find(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    private DiffusionModelException Missing(string name, string what) => new(
        $"{ModelPath} has no input named '{name}' ({what}); its inputs are {string.Join("; ", Inputs)}. " +
        "Export the model with the diffusers input names sample, timestep (and class_labels).");

    private void Validate()
    {
        if (!SampleTypes.Contains(SampleInput.ElementType) || SampleInput.Rank != 4)
            throw new DiffusionModelException($"input {SampleInput} is not supported: 'sample' must be float32 or float16 of rank 4 [N, C, H, W].");
        if (!TimestepTypes.Contains(TimestepInput.ElementType) || TimestepInput.Rank > 1)
            throw new DiffusionModelException($"input {TimestepInput} is not supported: 'timestep' must be float32, float16, float64, int32 or int64, shaped [N], [1] or a scalar.");
        if (ClassLabelsInput is { } labels && (labels.ElementType != TensorElementType.Int64 || labels.Rank != 1))
            throw new DiffusionModelException($"input {labels} is not supported: 'class_labels' must be int64 [N].");
        if (ClassLabelsInput is not null && Config.NumClasses == 0)
            throw new DiffusionModelException($"{ModelPath} has a class_labels input but its scheduler config gives no num_classes: add num_classes to the config.");
        var extra = Inputs.Where(i => i.Name is not ("sample" or "timestep" or "class_labels")).ToList();
        if (extra.Count > 0)
            throw new DiffusionModelException($"{ModelPath} has inputs this runtime cannot feed: {string.Join("; ", extra)}.");
        if (Output.ElementType != SampleInput.ElementType || Output.Rank != 4)
            throw new DiffusionModelException($"output {Output} must have the type and rank of {SampleInput}.");
    }
}
