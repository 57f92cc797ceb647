using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.Models;

namespace Diffusion.Onnx.Mixtures;

/// <summary>How <see cref="GaussianMixtureModel"/> shapes its ONNX model: the contract a trained network would have.</summary>
public sealed record GaussianMixtureModelOptions
{
    /// <summary>The shape of one sample without the batch dimension, e.g. <c>[C, H, W]</c>; its product is the mixture's dimension D.</summary>
    public required IReadOnlyList<int> SampleShape { get; init; }

    /// <summary>
    /// What the model means, embedded in it as metadata: the noise process, what the model outputs
    /// (<c>prediction_type</c>), what its timestep input holds (<c>timestep_input</c>, which must be
    /// the schedule's own: <c>index</c> for discrete, <c>t</c> for vp and subvp, <c>sigma</c> or
    /// <c>log_sigma</c> for ve; times <c>timestep_scale</c>), and inference choices (spacing,
    /// clip_sample, data range, ...). <c>num_classes</c> and <c>null_class_label</c> are set from the
    /// mixture when <see cref="ClassConditional"/>. diffusers' DDPM schedule unless set.
    /// </summary>
    public SchedulerConfig Scheduler { get; init; } = new();

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

    /// <summary>Further metadata_props entries (a <c>scheduler_config</c> key here is replaced when the config is embedded).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>D, the number of values in one sample.</summary>
    public int SampleSize => SampleShape.Aggregate(1, (product, d) => product * d);
}
