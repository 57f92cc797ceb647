using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Schedulers;

namespace Diffusion.Onnx.Mixtures;

/// <summary>How <see cref="GaussianMixtureModel"/> shapes its ONNX model: the contract a trained network would have.</summary>
public sealed record GaussianMixtureModelOptions
{
    /// <summary>The shape of one sample without the batch dimension, e.g. <c>[C, H, W]</c>; its product is the mixture's dimension D.</summary>
    public required IReadOnlyList<int> SampleShape { get; init; }

    /// <summary>The noise process and what the timestep input holds.</summary>
    public NoiseScheduleOptions Schedule { get; init; } = new();

    /// <summary>What the model outputs.</summary>
    public PredictionType Prediction { get; init; } = PredictionType.Epsilon;

    /// <summary>The element type of <c>sample</c> and of the output: float32 or float16.</summary>
    public ElementType SampleType { get; init; } = ElementType.Float32;

    /// <summary>The element type of <c>timestep</c>: float32, float16, or int64 (discrete schedules only).</summary>
    public ElementType TimestepType { get; init; } = ElementType.Float32;

    /// <summary>The shape of <c>timestep</c>: <c>[N]</c>, <c>[1]</c> or a scalar.</summary>
    public TimestepShape TimestepShape { get; init; } = TimestepShape.Batch;

    /// <summary>A fixed batch size, or null for a symbolic <c>"batch"</c> dimension.</summary>
    public int? BatchSize { get; init; }

    /// <summary>
    /// Adds an int64 <c>[N]</c> input of class labels: label c in [0, K) restricts the mixture to
    /// component c; label K (the null label, for classifier-free guidance) keeps the whole mixture.
    /// </summary>
    public bool ClassConditional { get; init; }

    /// <summary>The name of the noisy-sample input.</summary>
    public string SampleName { get; init; } = "sample";

    /// <summary>The name of the timestep input.</summary>
    public string TimestepName { get; init; } = "timestep";

    /// <summary>The name of the class-label input (when <see cref="ClassConditional"/>).</summary>
    public string ClassLabelsName { get; init; } = "class_labels";

    /// <summary>The name of the output.</summary>
    public string OutputName { get; init; } = "out_sample";

    /// <summary>Whether the scheduler config is embedded in metadata_props under <c>scheduler_config</c>.</summary>
    public bool EmbedSchedulerConfig { get; init; } = true;

    /// <summary>
    /// Scheduler-config keys that do not follow from these options (timestep_spacing,
    /// clip_sample, data_min/data_max, sampling_eps, _class_name, ...). Keys that do follow
    /// (the schedule, prediction_type, num_classes) are set over them.
    /// </summary>
    public SchedulerConfig SchedulerHints { get; init; } = new();

    /// <summary>Further metadata_props entries (a <c>scheduler_config</c> key here is replaced when the config is embedded).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>D, the number of values in one sample.</summary>
    public int SampleSize => SampleShape.Aggregate(1, (product, d) => product * d);
}
