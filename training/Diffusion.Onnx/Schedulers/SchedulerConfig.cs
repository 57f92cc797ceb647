using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diffusion.Onnx.Schedulers;

/// <summary>
/// What a model's output means and how to sample it: the keys of diffusers'
/// <c>scheduler_config.json</c> plus this project's own. Stored as JSON in the model's
/// <c>metadata_props</c> under <see cref="MetadataKey"/>, or as a file beside the model.
/// Every key is optional; unset keys are left out of the JSON.
/// </summary>
/// <remarks>
/// Our keys: <c>noise_schedule</c> (<c>discrete</c> | <c>vp</c> | <c>subvp</c> | <c>ve</c>);
/// <c>timestep_input</c> (<c>index</c> | <c>t</c> | <c>sigma</c> | <c>log_sigma</c>: what the
/// model's timestep input holds); <c>timestep_scale</c> (the model receives that value times
/// this, e.g. 999 for score_sde's VP models); <c>beta_min</c>, <c>beta_max</c> (continuous VP and
/// sub-VP); <c>sampling_eps</c> (the smallest t or sigma sampling should reach);
/// <c>data_min</c>, <c>data_max</c> (the range of the data); <c>num_classes</c>,
/// <c>null_class_label</c> (class-conditional models: labels 0..num_classes-1, and the label
/// meaning "no class" for classifier-free guidance).
/// </remarks>
public sealed record SchedulerConfig
{
    /// <summary>The metadata_props key under which models embed this config as JSON.</summary>
    public const string MetadataKey = "scheduler_config";

    /// <summary>The file name diffusers uses for this config beside a model.</summary>
    public const string FileName = "scheduler_config.json";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions Compact = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>diffusers' scheduler class name, e.g. <c>DDPMScheduler</c>.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; }

    /// <summary>T, the number of discrete training steps.</summary>
    [JsonPropertyName("num_train_timesteps")] public int? NumTrainTimesteps { get; init; }

    /// <summary>The first beta of a discrete schedule.</summary>
    [JsonPropertyName("beta_start")] public double? BetaStart { get; init; }

    /// <summary>The last beta of a discrete schedule.</summary>
    [JsonPropertyName("beta_end")] public double? BetaEnd { get; init; }

    /// <summary><c>linear</c>, <c>scaled_linear</c> or <c>squaredcos_cap_v2</c>.</summary>
    [JsonPropertyName("beta_schedule")] public string? BetaSchedule { get; init; }

    /// <summary>Explicit betas, overriding beta_schedule.</summary>
    [JsonPropertyName("trained_betas")] public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary><c>epsilon</c>, <c>sample</c>, <c>v_prediction</c> or <c>score</c>.</summary>
    [JsonPropertyName("prediction_type")] public string? PredictionType { get; init; }

    /// <summary>How inference picks training steps: <c>linspace</c>, <c>leading</c> or <c>trailing</c>.</summary>
    [JsonPropertyName("timestep_spacing")] public string? TimestepSpacing { get; init; }

    /// <summary>An offset added to inference timesteps (diffusers).</summary>
    [JsonPropertyName("steps_offset")] public int? StepsOffset { get; init; }

    /// <summary>Whether predicted x_0 is clipped to [-clip_sample_range, clip_sample_range].</summary>
    [JsonPropertyName("clip_sample")] public bool? ClipSample { get; init; }

    /// <summary>The clipping bound for x_0.</summary>
    [JsonPropertyName("clip_sample_range")] public double? ClipSampleRange { get; init; }

    /// <summary>DDIM: whether the final "previous" alpha_bar is 1.</summary>
    [JsonPropertyName("set_alpha_to_one")] public bool? SetAlphaToOne { get; init; }

    /// <summary>DDPM's posterior variance choice, e.g. <c>fixed_small</c>.</summary>
    [JsonPropertyName("variance_type")] public string? VarianceType { get; init; }

    /// <summary>The smallest noise level (VE).</summary>
    [JsonPropertyName("sigma_min")] public double? SigmaMin { get; init; }

    /// <summary>The largest noise level (VE); sampling starts there.</summary>
    [JsonPropertyName("sigma_max")] public double? SigmaMax { get; init; }

    /// <summary>Ours: <c>discrete</c>, <c>vp</c>, <c>subvp</c> or <c>ve</c>.</summary>
    [JsonPropertyName("noise_schedule")] public string? NoiseSchedule { get; init; }

    /// <summary>Ours: <c>index</c>, <c>t</c>, <c>sigma</c> or <c>log_sigma</c>.</summary>
    [JsonPropertyName("timestep_input")] public string? TimestepInput { get; init; }

    /// <summary>Ours: the model's timestep input is the time multiplied by this.</summary>
    [JsonPropertyName("timestep_scale")] public double? TimestepScale { get; init; }

    /// <summary>Ours: beta(0) of a continuous VP or sub-VP SDE.</summary>
    [JsonPropertyName("beta_min")] public double? BetaMin { get; init; }

    /// <summary>Ours: beta(1) of a continuous VP or sub-VP SDE.</summary>
    [JsonPropertyName("beta_max")] public double? BetaMax { get; init; }

    /// <summary>Ours: the smallest time (or sigma) sampling should reach.</summary>
    [JsonPropertyName("sampling_eps")] public double? SamplingEps { get; init; }

    /// <summary>Ours: the smallest value of the data.</summary>
    [JsonPropertyName("data_min")] public double? DataMin { get; init; }

    /// <summary>Ours: the largest value of the data.</summary>
    [JsonPropertyName("data_max")] public double? DataMax { get; init; }

    /// <summary>Ours: class-conditional models take labels 0..num_classes-1.</summary>
    [JsonPropertyName("num_classes")] public int? NumClasses { get; init; }

    /// <summary>Ours: the label meaning "no class" (classifier-free guidance).</summary>
    [JsonPropertyName("null_class_label")] public int? NullClassLabel { get; init; }

    /// <summary>The config as JSON, indented for files or compact for metadata.</summary>
    public string ToJson(bool indented = true) => JsonSerializer.Serialize(this, indented ? Indented : Compact);

    /// <summary>Reads a config from JSON; unknown keys are ignored.</summary>
    /// <exception cref="FormatException">The text is not a JSON object of scheduler config keys.</exception>
    public static SchedulerConfig FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<SchedulerConfig>(json, Compact)
                ?? throw new FormatException("The scheduler config is JSON null: expected an object of scheduler_config keys.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"The scheduler config is not valid: {e.Message}", e);
        }
    }

    /// <summary>Writes the config (indented JSON) to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}
