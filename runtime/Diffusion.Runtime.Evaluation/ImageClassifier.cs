using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// An image classifier exported to ONNX that scores samples: input <c>image</c> float32
/// [N, C, H, W] (in its <see cref="ClassifierConfig.DataRange"/>), outputs <c>logits</c> float32
/// [N, K] and <c>features</c> float32 [N, D] (the penultimate activations FID-style distances
/// compare), described by the <c>classifier_config</c> JSON in its <c>metadata_props</c>.
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    /// <summary>The input's name.</summary>
    public const string ImageName = "image";

    /// <summary>The class-score output's name.</summary>
    public const string LogitsName = "logits";

    /// <summary>The feature output's name.</summary>
    public const string FeaturesName = "features";

    private const int MaxBatch = 256;
    private readonly InferenceSession _session;
    private readonly int? _fixedBatch;

    private ImageClassifier(InferenceSession session, string path, string device)
    {
        _session = session;
        ModelPath = path;
        Device = device;
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Config = metadata.TryGetValue(ClassifierConfig.MetadataKey, out var json)
            ? ClassifierConfig.Parse(json, $"embedded in {path}")
            : new ClassifierConfig();
        var image = Spec(session.InputMetadata, ImageName, "input", "float32 [N, C, H, W] images");
        if (session.InputMetadata.Count != 1)
            throw Wrong($"has inputs {string.Join("; ", session.InputMetadata.Keys)}, but a classifier takes one input, '{ImageName}'");
        var logits = Spec(session.OutputMetadata, LogitsName, "output", "float32 [N, K] class scores");
        var features = Spec(session.OutputMetadata, FeaturesName, "output", "float32 [N, D] features");
        if (image.ElementType != TensorElementType.Float || image.Rank != 4)
            throw Wrong($"declares input {image}, but '{ImageName}' must be float32 of rank 4 [N, C, H, W]");
        foreach (var output in new[] { logits, features })
            if (output.ElementType != TensorElementType.Float || output.Rank != 2)
                throw Wrong($"declares output {output}, but '{output.Name}' must be float32 of rank 2 [N, size]");

        var shape = Config.ImageShape;
        ImageShape = new SampleShape(
            Dimension(image, 1, shape?[0], "image_shape"), Dimension(image, 2, shape?[1], "image_shape"), Dimension(image, 3, shape?[2], "image_shape"));
        ClassCount = Dimension(logits, 1, Config.NumClasses, "num_classes");
        FeatureDimension = Dimension(features, 1, Config.FeatureDim, "feature_dim");
        _fixedBatch = image.Dimensions[0] > 0 ? image.Dimensions[0] : null;
    }

    /// <summary>The .onnx file loaded.</summary>
    public string ModelPath { get; }

    /// <summary>The device the session runs on.</summary>
    public string Device { get; }

    /// <summary>What the classifier says about itself (empty when it carries no <c>classifier_config</c>).</summary>
    public ClassifierConfig Config { get; }

    /// <summary>The shape of one input image, [C, H, W].</summary>
    public SampleShape ImageShape { get; }

    /// <summary>K, the number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>D, the length of a feature vector.</summary>
    public int FeatureDimension { get; }

    /// <summary>Loads a classifier, checking its inputs and outputs against the contract above.</summary>
    /// <exception cref="DiffusionException">The file is missing, not ONNX, or not such a classifier; the message says which and what to do.</exception>
    public static ImageClassifier Load(string path, ModelLoadOptions? options = null)
    {
        if (!File.Exists(path))
            throw new DiffusionModelException($"classifier {path} does not exist: give the path of a feature classifier exported to ONNX (inputs '{ImageName}', outputs '{LogitsName}' and '{FeaturesName}').");
        string full = Path.GetFullPath(path);
        var (session, request) = OnnxSessions.Open(full, options ?? new ModelLoadOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        string device = request.ToString();
        try
        {
            return new ImageClassifier(session, full, device);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Classifies <paramref name="count"/> images given row-major, [count, C, H, W], already in the classifier's data range.</summary>
    public ClassifierOutputs Run(ReadOnlySpan<float> images, int count, CancellationToken cancellation = default)
    {
        int size = ImageShape.Size;
        if (count < 1 || images.Length != count * size)
            throw new DiffusionModelException($"{images.Length} values are not {count} images of shape {ImageShape}: the classifier takes [N, {ImageShape.Channels}, {ImageShape.Height}, {ImageShape.Width}].");
        var features = new float[count * FeatureDimension];
        var logits = new float[count * ClassCount];
        int batch = _fixedBatch ?? Math.Min(count, MaxBatch);
        var input = new float[batch * size];
        using var runOptions = new RunOptions();
        using var registration = cancellation.Register(() => runOptions.Terminate = true);
        for (int first = 0; first < count; first += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            int n = Math.Min(batch, count - first);
            // A fixed-batch classifier gets the last, partial batch padded with zeros; their outputs are dropped.
            int fed = _fixedBatch ?? n;
            images.Slice(first * size, n * size).CopyTo(input);
            input.AsSpan(n * size, fed * size - n * size).Clear();
            using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, fed * size), [fed, ImageShape.Channels, ImageShape.Height, ImageShape.Width]);
            using var results = RunBatch(runOptions, value, cancellation);
            Copy(results.First(), fed, FeatureDimension, FeaturesName).AsSpan(0, n * FeatureDimension).CopyTo(features.AsSpan(first * FeatureDimension));
            Copy(results.Last(), fed, ClassCount, LogitsName).AsSpan(0, n * ClassCount).CopyTo(logits.AsSpan(first * ClassCount));
        }
        return new ClassifierOutputs(features, logits, count, FeatureDimension, ClassCount);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private IDisposableReadOnlyCollection<OrtValue> RunBatch(RunOptions runOptions, OrtValue input, CancellationToken cancellation)
    {
        try
        {
            return _session.Run(runOptions, [ImageName], [input], [FeaturesName, LogitsName]);
        }
        catch (OnnxRuntimeException) when (cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellation);
        }
        catch (OnnxRuntimeException e)
        {
            throw new DiffusionModelException($"the classifier {ModelPath} failed to run: {e.Message.Split('\n')[0].Trim()}", e);
        }
    }

    private float[] Copy(OrtValue value, int rows, int columns, string name)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        if (shape.Length != 2 || shape[0] != rows || shape[1] != columns)
            throw Wrong($"returned '{name}' of shape [{string.Join(", ", shape)}] for {rows} images; expected [{rows}, {columns}]");
        return value.GetTensorDataAsSpan<float>().ToArray();
    }

    private TensorSpec Spec(IReadOnlyDictionary<string, NodeMetadata> declared, string name, string role, string what) =>
        declared.TryGetValue(name, out var meta)
            ? TensorSpec.From(name, meta)
            : throw Wrong($"has no {role} named '{name}' ({what}); its {role}s are {string.Join(", ", declared.Keys)}");

    // A dimension the model fixes, else the one its classifier_config gives; they must agree when both do.
    private int Dimension(TensorSpec spec, int axis, int? configured, string key)
    {
        int declared = spec.Dimensions[axis];
        if (declared > 0 && configured is { } c && c != declared)
            throw Wrong($"declares {spec} but its classifier_config says {key} {c}");
        return declared > 0 ? declared : configured is > 0
            ? configured.Value
            : throw Wrong($"declares {spec} with a dynamic dimension {axis} and its classifier_config gives no {key}");
    }

    private DiffusionModelException Wrong(string problem) => new(
        $"{ModelPath} {problem}: it is not a feature classifier this runtime can use; export one with input '{ImageName}' and outputs '{LogitsName}' and '{FeaturesName}'.");
}
