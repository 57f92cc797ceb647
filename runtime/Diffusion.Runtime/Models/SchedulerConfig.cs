using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Models;

/// <summary>
/// The meaning of a model: its noise process, what it predicts and what its time input is.
/// Read from diffusers' <c>scheduler_config.json</c> keys, plus the keys this project adds
/// (each documented on its property). Missing keys take diffusers' defaults; the defaults that
/// depend on the kind of noise process (<see cref="TimestepSpacing"/>, <see cref="TimestepInput"/>,
/// <see cref="ClipSample"/>) follow <see cref="NoiseSchedule"/> whether the config is parsed or built in code.
/// </summary>
public sealed record SchedulerConfig
{
    /// <summary>The ONNX <c>metadata_props</c> key our exporter stores this config under, as JSON.</summary>
    public const string MetadataKey = "scheduler_config";

    /// <summary>The file name diffusers gives this config beside a model (or in a pipeline's <c>scheduler/</c> folder).</summary>
    public const string FileName = "scheduler_config.json";

    /// <summary>diffusers <c>_class_name</c>, e.g. DDPMScheduler or ScoreSdeVeScheduler.</summary>
    public string? ClassName { get; init; }

    /// <summary>Ours, <c>noise_schedule</c>: <c>discrete</c> (DDPM betas), <c>vp</c>, <c>subvp</c>, <c>ve</c>.</summary>
    public string NoiseSchedule { get; init; } = "discrete";

    /// <summary>diffusers <c>num_train_timesteps</c> (T).</summary>
    public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary>diffusers <c>beta_start</c>.</summary>
    public double BetaStart { get; init; } = 1e-4;

    /// <summary>diffusers <c>beta_end</c>.</summary>
    public double BetaEnd { get; init; } = 0.02;

    /// <summary>diffusers <c>beta_schedule</c>: linear, scaled_linear, squaredcos_cap_v2.</summary>
    public string BetaSchedule { get; init; } = "linear";

    /// <summary>diffusers <c>trained_betas</c>: explicit betas, overriding the named schedule. A copy of what is
    /// given, so the config stays what it was made with whatever happens to the caller's array.</summary>
    public IReadOnlyList<double>? TrainedBetas
    {
        get => _trainedBetas;
        init => _trainedBetas = value is null ? null : Array.AsReadOnly(value.ToArray());
    }

    private readonly IReadOnlyList<double>? _trainedBetas;

    /// <summary>diffusers <c>prediction_type</c>: epsilon, sample, v_prediction; ours adds score.</summary>
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary>
    /// diffusers <c>timestep_spacing</c>: leading, trailing, linspace; ours adds karras and uniform.
    /// Unless set: leading for discrete schedules (linspace for the classes of DPM-Solver, UniPC and Euler,
    /// as in diffusers), uniform for continuous ones; karras when <see cref="UseKarrasSigmas"/>.
    /// </summary>
    public TimestepSpacing TimestepSpacing
    {
        get => UseKarrasSigmas ? TimestepSpacing.Karras
            : SpacingSetting ?? (!IsDiscrete ? TimestepSpacing.Uniform : IsSolverClass ? TimestepSpacing.Linspace : TimestepSpacing.Leading);
        init => SpacingSetting = value;
    }

    /// <summary>diffusers <c>steps_offset</c>, added to "leading" timesteps.</summary>
    public int StepsOffset { get; init; }

    /// <summary>
    /// diffusers <c>clip_sample</c>: clamp the x0 estimate to +-<see cref="ClipSampleRange"/>.
    /// Unless set: on for discrete schedules (diffusers' DDPM and DDIM schedulers clip by default), off for
    /// continuous ones and for the classes of DPM-Solver, UniPC and Euler, which have no clipping.
    /// </summary>
    public bool ClipSample
    {
        get => ClipSampleSetting ?? (IsDiscrete && !IsSolverClass);
        init => ClipSampleSetting = value;
    }

    /// <summary>diffusers <c>clip_sample_range</c>.</summary>
    public double ClipSampleRange { get; init; } = 1.0;

    /// <summary>diffusers <c>set_alpha_to_one</c>: end discrete paths at alpha_bar = 1 rather than alpha_bar_0.</summary>
    public bool SetAlphaToOne { get; init; } = true;

    /// <summary>diffusers <c>variance_type</c> for DDPM: fixed_small or fixed_large.</summary>
    public string VarianceType { get; init; } = "fixed_small";

    /// <summary>diffusers <c>sigma_min</c> (VE).</summary>
    public double SigmaMin { get; init; } = 0.01;

    /// <summary>diffusers <c>sigma_max</c> (VE).</summary>
    public double SigmaMax { get; init; } = 50;

    /// <summary>diffusers <c>sampling_eps</c>: the smallest t a continuous-time path visits.</summary>
    public double? SamplingEps { get; init; }

    /// <summary>diffusers <c>snr</c>: the Langevin corrector's signal-to-noise ratio.</summary>
    public double? Snr { get; init; }

    /// <summary>Ours and ScoreSdeVp's <c>beta_min</c>: beta(0) of continuous VP / sub-VP.</summary>
    public double BetaMin { get; init; } = 0.1;

    /// <summary>Ours and ScoreSdeVp's <c>beta_max</c>: beta(1) of continuous VP / sub-VP.</summary>
    public double BetaMax { get; init; } = 20;

    /// <summary>
    /// Ours, <c>timestep_input</c>: index, t, sigma or log_sigma. Unless set: index for discrete
    /// schedules, t for VP and sub-VP, sigma for VE (diffusers' ScoreSdeVeScheduler).
    /// </summary>
    public TimestepInput TimestepInput
    {
        get => TimestepInputSetting ?? NoiseSchedule switch
        {
            "ve" => TimestepInput.Sigma,
            "vp" or "subvp" => TimestepInput.Time,
            _ => TimestepInput.Index,
        };
        init => TimestepInputSetting = value;
    }

    /// <summary>Ours, <c>timestep_scale</c>: the timestep value fed is multiplied by this (e.g. 999 for t * 999).</summary>
    public double TimestepScale { get; init; } = 1;

    /// <summary>Ours, <c>data_min</c>: the low end of the data range (for pictures).</summary>
    public double DataMin { get; init; } = -1;

    /// <summary>Ours, <c>data_max</c>: the high end of the data range.</summary>
    public double DataMax { get; init; } = 1;

    /// <summary>Ours, <c>num_classes</c> (also diffusers' UNet <c>num_class_embeds</c>): 0 for unconditional models.</summary>
    public int NumClasses { get; init; }

    /// <summary>Ours, <c>null_class_label</c>: the label of the unconditional branch for classifier-free guidance.</summary>
    public int? NullClassLabel { get; init; }

    /// <summary>Ours, <c>sample_size</c> and <c>in_channels</c> (diffusers UNet keys): the sample shape when the model's input dims are dynamic.</summary>
    public int? SampleSize { get; init; }

    /// <summary>Channels of a sample when the model's input declares them dynamic.</summary>
    public int? InChannels { get; init; }

    /// <summary>diffusers <c>solver_order</c> of the multistep solvers (DPM-Solver++, UniPC), 1-3; null: the sampler's default (2).</summary>
    public int? SolverOrder { get; init; }

    /// <summary>
    /// diffusers <c>algorithm_type</c> of DPMSolverMultistepScheduler: <c>dpmsolver++</c> (sampler dpmpp) or
    /// <c>sde-dpmsolver++</c> (dpmpp-sde); the noise-prediction forms <c>dpmsolver</c> and <c>sde-dpmsolver</c> are not implemented.
    /// </summary>
    public string? AlgorithmType { get; init; }

    /// <summary>diffusers <c>solver_type</c>: midpoint or heun (DPM-Solver++), bh1 or bh2 (UniPC); null: the sampler's default.</summary>
    public Samplers.SolverType? SolverType { get; init; }

    /// <summary>diffusers <c>lower_order_final</c>; null: the sampler's default (true).</summary>
    public bool? LowerOrderFinal { get; init; }

    /// <summary>diffusers <c>euler_at_final</c> (DPM-Solver++); null: false.</summary>
    public bool? EulerAtFinal { get; init; }

    /// <summary>
    /// diffusers <c>final_sigmas_type</c>: <c>zero</c> ends the path on the clean sample (sigma 0);
    /// <c>sigma_min</c> ends it on the first training step's noise level, as <see cref="SetAlphaToOne"/> false does.
    /// </summary>
    public string FinalSigmasType { get; init; } = "zero";

    /// <summary>diffusers <c>use_karras_sigmas</c>: the path's spacing is Karras et al. 2022, eq. 5, whatever <c>timestep_spacing</c> says.</summary>
    public bool UseKarrasSigmas { get; init; }

    /// <summary>
    /// diffusers <c>interpolation_type</c> of the Euler schedulers: how sigma is read between training
    /// steps, <c>linear</c> in sigma/alpha (their default) or <c>log_linear</c> (this runtime's schedules).
    /// </summary>
    public string InterpolationType { get; init; } = "linear";

    /// <summary>
    /// diffusers <c>thresholding</c>: dynamic thresholding of the x0 estimate (Saharia et al. 2022, Imagen,
    /// sec. 2.3): per sample, s = the <see cref="DynamicThresholdingRatio"/> quantile of |x0|, clamped to
    /// [1, <see cref="SampleMaxValue"/>] (to sample_max_value when that is below 1, as torch.clamp does); x0 = clamp(x0, -s, s) / s. It replaces <see cref="ClipSample"/>.
    /// </summary>
    public bool Thresholding { get; init; }

    /// <summary>diffusers <c>dynamic_thresholding_ratio</c>: the quantile of dynamic thresholding.</summary>
    public double DynamicThresholdingRatio { get; init; } = 0.995;

    /// <summary>diffusers <c>sample_max_value</c>: the largest threshold of dynamic thresholding.</summary>
    public double SampleMaxValue { get; init; } = 1.0;

    /// <summary>
    /// diffusers <c>rescale_betas_zero_snr</c>: betas rescaled so the last step has zero signal (Lin et al.
    /// 2024, Alg. 1); its last alpha_bar is then set to 2^-24 rather than 0, as diffusers' Euler, DPM-Solver
    /// and UniPC schedulers do, so that sigma/alpha stays finite (or to half the one before, when that is smaller).
    /// </summary>
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>
    /// The sampler a diffusers <c>_class_name</c> stands for, used when the request names none:
    /// DDPMScheduler ddpm, DDIMScheduler ddim, EulerDiscreteScheduler euler, EulerAncestralDiscreteScheduler
    /// euler-ancestral, DPMSolverMultistepScheduler dpmpp (dpmpp-sde for <c>sde-dpmsolver++</c>),
    /// UniPCMultistepScheduler unipc; null for any other class.
    /// </summary>
    public string? Sampler => ClassName switch
    {
        "DDPMScheduler" => "ddpm",
        "DDIMScheduler" => "ddim",
        "EulerDiscreteScheduler" => "euler",
        "EulerAncestralDiscreteScheduler" => "euler-ancestral",
        "DPMSolverMultistepScheduler" => AlgorithmType == "sde-dpmsolver++" ? "dpmpp-sde" : "dpmpp",
        "UniPCMultistepScheduler" => "unipc",
        _ => null,
    };

    /// <summary>How the named scheduler class places its timesteps on the training grid (<see cref="SpacingConvention"/>).</summary>
    public SpacingConvention SpacingConvention => ClassName switch
    {
        "DPMSolverMultistepScheduler" or "UniPCMultistepScheduler" => SpacingConvention.Multistep,
        "EulerDiscreteScheduler" or "EulerAncestralDiscreteScheduler" =>
            InterpolationType == "log_linear" ? SpacingConvention.EulerLogLinear : SpacingConvention.Euler,
        _ => SpacingConvention.Ddim,
    };

    // The classes whose diffusers defaults differ from DDPM's: linspace spacing, no clipping.
    private bool IsSolverClass => ClassName is "DPMSolverMultistepScheduler" or "UniPCMultistepScheduler"
        or "EulerDiscreteScheduler" or "EulerAncestralDiscreteScheduler";

    // What was set explicitly (in code or in the JSON); null keeps the default that follows NoiseSchedule.
    private TimestepSpacing? SpacingSetting { get; init; }
    private TimestepInput? TimestepInputSetting { get; init; }
    private bool? ClipSampleSetting { get; init; }

    private bool IsDiscrete => NoiseSchedule == "discrete";

    /// <summary>Builds the noise process this config describes.</summary>
    public NoiseSchedule CreateSchedule() => NoiseSchedule switch
    {
        "discrete" => new DiscreteSchedule(Betas(), SetAlphaToOne && FinalSigmasType == "zero"),
        "vp" => new VpSchedule(false, BetaMin, BetaMax, SamplingEps ?? 1e-3, NumTrainTimesteps),
        "subvp" => new VpSchedule(true, BetaMin, BetaMax, SamplingEps ?? 1e-3, NumTrainTimesteps),
        "ve" => new VeSchedule(SigmaMin, SigmaMax, SamplingEps ?? 1e-5, NumTrainTimesteps),
        _ => throw new DiffusionModelException($"unknown noise_schedule '{NoiseSchedule}': use discrete, vp, subvp or ve."),
    };

    private double[] Betas()
    {
        var betas = TrainedBetas?.ToArray() ?? Schedules.BetaSchedule.Create(BetaSchedule, NumTrainTimesteps, BetaStart, BetaEnd);
        return RescaleBetasZeroSnr ? Schedules.BetaSchedule.RescaleZeroTerminalSnr(betas, lastAlphaBar: Math.Pow(2, -24)) : betas;
    }

    /// <summary>The keys a config needs, for error messages.</summary>
    public const string RequiredKeysHint =
        "it needs num_train_timesteps, beta_start, beta_end, beta_schedule and prediction_type for a DDPM-style model " +
        "(or noise_schedule ve with sigma_min and sigma_max, or vp/subvp with beta_min and beta_max)";

    /// <summary>
    /// Most <see cref="NumTrainTimesteps"/> a config may declare unless the caller raises it
    /// (<see cref="ModelLoadOptions.MaxTrainTimesteps"/>): its schedule holds a few arrays of that length.
    /// </summary>
    public const int DefaultMaxTrainTimesteps = 100_000;

    /// <summary>Parses a config from JSON text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="DiffusionModelException">The text is not a JSON object, repeats a key, or a key has a wrong type or an out-of-range value; the message names it.</exception>
    /// <param name="json">The config's JSON text.</param>
    /// <param name="source">Names the config in errors (a file path, "embedded in model.onnx").</param>
    /// <param name="maxTrainTimesteps">Most <c>num_train_timesteps</c> accepted.</param>
    public static SchedulerConfig Parse(string json, string source, int maxTrainTimesteps = DefaultMaxTrainTimesteps)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject obj;
        try
        {
            // Python's json writes infinities bare (diffusers' lambda_min_clipped: -Infinity); quote them.
            json = System.Text.RegularExpressions.Regex.Replace(json, @"(?<=[:\[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])", "\"$1\"");
            var options = new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 };
            using (var document = JsonDocument.Parse(json, options))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new DiffusionModelException($"scheduler config {source} is not a JSON object.");
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                    if (!seen.Add(property.Name))
                        throw new DiffusionModelException($"scheduler config {source} gives the key '{property.Name}' twice: keep one.");
            }
            obj = (JsonObject)JsonNode.Parse(json, documentOptions: options)!;
        }
        catch (JsonException e)
        {
            throw new DiffusionModelException($"scheduler config {source} is not valid JSON: {e.Message}", e);
        }
        try
        {
            return FromJson(obj, maxTrainTimesteps);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or OverflowException or ArgumentException)
        {
            throw new DiffusionModelException($"scheduler config {source} has a value of the wrong type: {e.Message}", e);
        }
        catch (DiffusionException e)
        {
            throw new DiffusionModelException($"scheduler config {source}: {e.Message}", e);
        }
    }

    private static SchedulerConfig FromJson(JsonObject o, int maxTrainTimesteps)
    {
        string? className = Str(o, "_class_name");
        bool scoreSdeVe = className == "ScoreSdeVeScheduler", scoreSdeVp = className == "ScoreSdeVpScheduler";
        string schedule = Str(o, "noise_schedule") ?? (scoreSdeVe ? "ve" : scoreSdeVp ? "vp" : "discrete");
        var defaults = new SchedulerConfig();
        var config = new SchedulerConfig
        {
            ClassName = className,
            NoiseSchedule = schedule,
            NumTrainTimesteps = Int(o, "num_train_timesteps") ?? (scoreSdeVe ? 2000 : 1000),
            BetaStart = Num(o, "beta_start") ?? defaults.BetaStart,
            BetaEnd = Num(o, "beta_end") ?? defaults.BetaEnd,
            BetaSchedule = Str(o, "beta_schedule") ?? defaults.BetaSchedule,
            TrainedBetas = Numbers(o, "trained_betas", maxTrainTimesteps),
            PredictionType = PredictionConversion.Parse(Str(o, "prediction_type") ?? (scoreSdeVe ? "score" : "epsilon")),
            StepsOffset = Int(o, "steps_offset") ?? 0,
            ClipSampleRange = Num(o, "clip_sample_range") ?? defaults.ClipSampleRange,
            SetAlphaToOne = Bool(o, "set_alpha_to_one") ?? true,
            VarianceType = Str(o, "variance_type") ?? defaults.VarianceType,
            SigmaMin = Num(o, "sigma_min") ?? defaults.SigmaMin,
            SigmaMax = Num(o, "sigma_max") ?? (scoreSdeVe ? 1348 : defaults.SigmaMax),
            SamplingEps = Num(o, "sampling_eps"),
            Snr = Num(o, "snr"),
            BetaMin = Num(o, "beta_min") ?? defaults.BetaMin,
            BetaMax = Num(o, "beta_max") ?? defaults.BetaMax,
            TimestepScale = Num(o, "timestep_scale") ?? 1,
            DataMin = Num(o, "data_min") ?? -1,
            DataMax = Num(o, "data_max") ?? 1,
            NumClasses = Int(o, "num_classes") ?? Int(o, "num_class_embeds") ?? 0,
            NullClassLabel = Int(o, "null_class_label"),
            SampleSize = Int(o, "sample_size"),
            InChannels = Int(o, "in_channels"),
            // Keys left out keep the defaults that follow noise_schedule.
            SpacingSetting = Str(o, "timestep_spacing") is { } spacing ? TimestepSpacingNames.Parse(spacing) : null,
            TimestepInputSetting = Str(o, "timestep_input") is { } input ? ParseTimestepInput(input) : null,
            ClipSampleSetting = Bool(o, "clip_sample"),
            SolverOrder = Int(o, "solver_order"),
            AlgorithmType = Str(o, "algorithm_type"),
            SolverType = Str(o, "solver_type") is { } solver
                ? Samplers.SolverTypeNames.TryParse(solver) ?? (solver == "logrho" ? Samplers.SolverType.Midpoint
                    : throw new DiffusionModelException($"unknown solver_type '{solver}': use {string.Join(", ", Samplers.SolverTypeNames.All)}."))
                : null,
            LowerOrderFinal = Bool(o, "lower_order_final"),
            EulerAtFinal = Bool(o, "euler_at_final"),
            FinalSigmasType = Str(o, "final_sigmas_type") ?? "zero",
            UseKarrasSigmas = Bool(o, "use_karras_sigmas") ?? false,
            InterpolationType = Str(o, "interpolation_type") ?? "linear",
            Thresholding = Bool(o, "thresholding") ?? false,
            DynamicThresholdingRatio = Num(o, "dynamic_thresholding_ratio") ?? 0.995,
            SampleMaxValue = Num(o, "sample_max_value") ?? 1.0,
            RescaleBetasZeroSnr = Bool(o, "rescale_betas_zero_snr") ?? false,
        };
        RejectUnimplemented(o);
        config.Validate(maxTrainTimesteps);
        return config;
    }

    /// <summary>
    /// diffusers keys that change the samples and that this runtime does not implement, with the
    /// value that is harmless: a config with any other value is an error naming the key, never dropped.
    /// </summary>
    private static void RejectUnimplemented(JsonObject o)
    {
        static bool IsTrue(JsonNode? v) => v is JsonValue j && j.TryGetValue(out bool b) && b;
        (string Key, Func<JsonNode?, bool> Unsupported, string Why)[] keys =
        [
            ("use_lu_lambdas", IsTrue, "lambda-uniform spacing"),
            ("use_exponential_sigmas", IsTrue, "exponential sigma spacing"),
            ("use_beta_sigmas", IsTrue, "beta-distribution sigma spacing"),
            ("use_flow_sigmas", IsTrue, "flow-matching sigmas"),
            ("use_dynamic_shifting", IsTrue, "dynamic shifting"),
            ("predict_x0", v => v is JsonValue j && j.TryGetValue(out bool b) && !b, "UniPC's noise-prediction form (only predict_x0 true is)"),
            ("solver_p", v => v is not null, "an external UniPC predictor"),
            ("disable_corrector", v => v is JsonArray a && a.Count > 0, "disabling UniPC's corrector at chosen steps"),
            ("timestep_type", v => v is JsonValue j && j.TryGetValue(out string? t) && t != "discrete", "continuous Euler timesteps (0.25 log sigma)"),
            ("lambda_min_clipped", v => v is JsonValue j && (j.TryGetValue(out double d) || (j.TryGetValue(out string? t) && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out d))) && !double.IsNegativeInfinity(d), "clipping lambda (only -inf is)"),
        ];
        foreach (var (key, unsupported, why) in keys)
            if (o.TryGetPropertyValue(key, out var value) && unsupported(value))
                throw new DiffusionModelException($"{key} {value?.ToJsonString()} is not implemented ({why}): remove it or set it to its default.");
        if (Str(o, "algorithm_type") is { } algorithm && algorithm is not ("dpmsolver++" or "sde-dpmsolver++"))
            throw new DiffusionModelException($"algorithm_type '{algorithm}' is not implemented: use dpmsolver++ or sde-dpmsolver++ (the data-prediction forms).");
        if (Str(o, "final_sigmas_type") is { } final && final is not ("zero" or "sigma_min"))
            throw new DiffusionModelException($"final_sigmas_type '{final}' is not supported: use zero or sigma_min.");
        if (Str(o, "interpolation_type") is { } interpolation && interpolation is not ("linear" or "log_linear"))
            throw new DiffusionModelException($"interpolation_type '{interpolation}' is not supported: use linear or log_linear.");
    }

    /// <summary>Checks ranges and names; throws a <see cref="DiffusionModelException"/> naming the bad key.</summary>
    /// <param name="maxTrainTimesteps">Most <c>num_train_timesteps</c> accepted.</param>
    public void Validate(int maxTrainTimesteps = DefaultMaxTrainTimesteps)
    {
        if (NumTrainTimesteps < 2 || NumTrainTimesteps > maxTrainTimesteps)
            throw Bad($"num_train_timesteps must lie in 2 to {maxTrainTimesteps} (ModelLoadOptions.MaxTrainTimesteps), got {NumTrainTimesteps}.");
        foreach (var (key, value) in new (string, double?)[]
        {
            ("beta_start", BetaStart), ("beta_end", BetaEnd), ("clip_sample_range", ClipSampleRange), ("sigma_min", SigmaMin),
            ("sigma_max", SigmaMax), ("sampling_eps", SamplingEps), ("snr", Snr), ("beta_min", BetaMin), ("beta_max", BetaMax),
            ("timestep_scale", TimestepScale), ("data_min", DataMin), ("data_max", DataMax),
        })
            if (value is { } v && !double.IsFinite(v)) throw Bad($"{key} must be a finite number, got {v}.");
        if (TrainedBetas is { } b && b.Count != NumTrainTimesteps && NoiseSchedule == "discrete")
            throw Bad($"trained_betas has {b.Count} values but num_train_timesteps is {NumTrainTimesteps}: give one beta per training step.");
        foreach (double beta in TrainedBetas ?? [])
            if (!double.IsFinite(beta)) throw Bad($"trained_betas holds {beta}: every beta must be a finite number in (0, 1).");
        if (NoiseSchedule == "discrete" && TrainedBetas is null && BetaSchedule != "squaredcos_cap_v2" && !(BetaStart <= BetaEnd))
            throw Bad($"beta_start ({BetaStart}) exceeds beta_end ({BetaEnd}): betas grow with noise, so give beta_start <= beta_end.");
        if (VarianceType is not ("fixed_small" or "fixed_large"))
            throw Bad($"variance_type '{VarianceType}' is not supported: use fixed_small or fixed_large.");
        if (!(DataMax > DataMin)) throw Bad($"data_max ({DataMax}) must exceed data_min ({DataMin}).");
        if (NumClasses is < 0 or > MaxClasses) throw Bad($"num_classes must lie in 0 to {MaxClasses}, got {NumClasses}.");
        if (NullClassLabel is < 0) throw Bad($"null_class_label must be 0 or more, got {NullClassLabel}.");
        if (StepsOffset < 0 || StepsOffset >= NumTrainTimesteps) throw Bad($"steps_offset must lie in 0 to {NumTrainTimesteps - 1}, got {StepsOffset}.");
        if (SampleSize is < 1 or > MaxSampleSize) throw Bad($"sample_size must lie in 1 to {MaxSampleSize}, got {SampleSize}.");
        if (InChannels is < 1 or > MaxChannels) throw Bad($"in_channels must lie in 1 to {MaxChannels}, got {InChannels}.");
        if (!(ClipSampleRange > 0)) throw Bad($"clip_sample_range must be positive, got {ClipSampleRange}.");
        if (!(TimestepScale > 0)) throw Bad($"timestep_scale must be positive, got {TimestepScale}.");
        if (SolverOrder is { } order && order is < 1 or > 3) throw Bad($"solver_order must be 1, 2 or 3, got {order}.");
        if (Thresholding && !(DynamicThresholdingRatio > 0 && DynamicThresholdingRatio <= 1))
            throw Bad($"dynamic_thresholding_ratio must lie in (0, 1], got {DynamicThresholdingRatio}.");
        if (Thresholding && !(SampleMaxValue > 0 && double.IsFinite(SampleMaxValue))) throw Bad($"sample_max_value must be positive and finite, got {SampleMaxValue}.");
        CreateSchedule();
    }

    private const int MaxClasses = 1_000_000, MaxSampleSize = 65_536, MaxChannels = 4_096;

    private static DiffusionModelException Bad(string message) => new(message);

    /// <summary>
    /// The config as JSON with diffusers' key names (and ours), every key written out, so a reader
    /// needs no defaults; <see cref="Parse"/> reads it back to an equal config.
    /// </summary>
    public string ToJson()
    {
        var o = new JsonObject();
        if (ClassName is not null) o["_class_name"] = ClassName;
        o["noise_schedule"] = NoiseSchedule;
        o["num_train_timesteps"] = NumTrainTimesteps;
        o["beta_start"] = BetaStart;
        o["beta_end"] = BetaEnd;
        o["beta_schedule"] = BetaSchedule;
        o["trained_betas"] = TrainedBetas is null ? null : new JsonArray(TrainedBetas.Select(b => (JsonNode?)b).ToArray());
        o["prediction_type"] = PredictionType.Name();
        o["timestep_spacing"] = TimestepSpacing.Name();
        o["steps_offset"] = StepsOffset;
        o["clip_sample"] = ClipSample;
        o["clip_sample_range"] = ClipSampleRange;
        o["set_alpha_to_one"] = SetAlphaToOne;
        o["variance_type"] = VarianceType;
        o["sigma_min"] = SigmaMin;
        o["sigma_max"] = SigmaMax;
        if (SamplingEps is { } eps) o["sampling_eps"] = eps;
        if (Snr is { } snr) o["snr"] = snr;
        o["beta_min"] = BetaMin;
        o["beta_max"] = BetaMax;
        o["timestep_input"] = TimestepInput.Name();
        o["timestep_scale"] = TimestepScale;
        o["data_min"] = DataMin;
        o["data_max"] = DataMax;
        o["num_classes"] = NumClasses;
        if (NullClassLabel is { } nullLabel) o["null_class_label"] = nullLabel;
        if (SampleSize is { } size) o["sample_size"] = size;
        if (InChannels is { } channels) o["in_channels"] = channels;
        if (SolverOrder is { } solverOrder) o["solver_order"] = solverOrder;
        if (AlgorithmType is not null) o["algorithm_type"] = AlgorithmType;
        if (SolverType is { } solverType) o["solver_type"] = Samplers.SolverTypeNames.Name(solverType);
        if (LowerOrderFinal is { } lowerOrderFinal) o["lower_order_final"] = lowerOrderFinal;
        if (EulerAtFinal is { } eulerAtFinal) o["euler_at_final"] = eulerAtFinal;
        o["final_sigmas_type"] = FinalSigmasType;
        o["use_karras_sigmas"] = UseKarrasSigmas;
        o["interpolation_type"] = InterpolationType;
        o["thresholding"] = Thresholding;
        o["dynamic_thresholding_ratio"] = DynamicThresholdingRatio;
        o["sample_max_value"] = SampleMaxValue;
        o["rescale_betas_zero_snr"] = RescaleBetasZeroSnr;
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Parses a <c>timestep_input</c> name.</summary>
    public static TimestepInput ParseTimestepInput(string name)
    {
        foreach (var input in Enum.GetValues<TimestepInput>())
            if (input.Name() == name) return input;
        throw new DiffusionModelException($"unknown timestep_input '{name}': use {string.Join(", ", TimestepInputNames.All)}.");
    }

    /// <summary>
    /// Turns the model's raw output at <paramref name="point"/> into the x0 estimate this config
    /// implies: converted from <see cref="PredictionType"/>, then thresholded per sample of
    /// <paramref name="valuesPerSample"/> values when <see cref="Thresholding"/> is set, else clamped to
    /// +-<see cref="ClipSampleRange"/> when <see cref="ClipSample"/> is set. Every model adapter uses it.
    /// </summary>
    public void ToDenoised(ReadOnlySpan<float> x, ReadOnlySpan<float> output, TimePoint point, Span<float> denoised, int valuesPerSample)
    {
        PredictionConversion.ToDenoised(PredictionType, x, output, point, denoised);
        if (Thresholding)
        {
            for (int start = 0; start < denoised.Length; start += valuesPerSample)
                Threshold(denoised.Slice(start, valuesPerSample));
            return;
        }
        if (!ClipSample) return;
        float range = (float)ClipSampleRange;
        System.Numerics.Tensors.TensorPrimitives.Max(denoised, -range, denoised);
        System.Numerics.Tensors.TensorPrimitives.Min(denoised, range, denoised);
    }

    /// <summary><see cref="ToDenoised(ReadOnlySpan{float}, ReadOnlySpan{float}, TimePoint, Span{float}, int)"/> for one sample (or a batch without thresholding).</summary>
    public void ToDenoised(ReadOnlySpan<float> x, ReadOnlySpan<float> output, TimePoint point, Span<float> denoised) =>
        ToDenoised(x, output, point, denoised, denoised.Length);

    // Saharia et al. 2022, sec. 2.3: s = quantile(|x0|, ratio) (linear between order statistics, as
    // torch.quantile), clamped to [1, sample_max_value]; x0 = clamp(x0, -s, s) / s.
    private void Threshold(Span<float> sample)
    {
        var pool = System.Buffers.ArrayPool<float>.Shared;
        float[] sorted = pool.Rent(sample.Length);
        try
        {
            var magnitudes = sorted.AsSpan(0, sample.Length);
            System.Numerics.Tensors.TensorPrimitives.Abs(sample, magnitudes);
            magnitudes.Sort();
            double position = DynamicThresholdingRatio * (sample.Length - 1);
            int below = (int)Math.Floor(position), above = Math.Min(below + 1, sample.Length - 1);
            double quantile = magnitudes[below] + (position - below) * (magnitudes[above] - magnitudes[below]);
            float s = (float)Math.Min(Math.Max(quantile, 1), SampleMaxValue); // torch.clamp(min=1, max): max wins when below 1
            System.Numerics.Tensors.TensorPrimitives.Max(sample, -s, sample);
            System.Numerics.Tensors.TensorPrimitives.Min(sample, s, sample);
            System.Numerics.Tensors.TensorPrimitives.Multiply(sample, 1 / s, sample);
        }
        finally
        {
            pool.Return(sorted);
        }
    }

    /// <summary>The value to feed the model's timestep input at <paramref name="point"/>.</summary>
    public double TimestepValue(TimePoint point) => TimestepScale * TimestepInput switch
    {
        TimestepInput.Index or TimestepInput.Time => point.Time,
        TimestepInput.Sigma => point.Sigma,
        _ => Math.Log(point.Sigma),
    };

    /// <summary>Value equality, comparing <see cref="TrainedBetas"/> by content.</summary>
    public bool Equals(SchedulerConfig? other) =>
        other is not null && ToJson() == other.ToJson();

    /// <inheritdoc />
    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);

    private static string? Str(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        var v => throw new FormatException($"'{key}' must be a string, got {v.ToJsonString()}"),
    };

    private static bool? Bool(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out bool b) => b,
        var v => throw new FormatException($"'{key}' must be true or false, got {v.ToJsonString()}"),
    };

    private static int? Int(JsonObject o, string key) => Num(o, key) switch
    {
        null => null,
        var d when d == Math.Round(d.Value) && d >= int.MinValue && d <= int.MaxValue => (int)d.Value,
        var d => throw new FormatException($"'{key}' must be a whole number within 32 bits, got {d}"),
    };

    private static double? Num(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out string? s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        var v => throw new FormatException($"'{key}' must be a number, got {v.ToJsonString()}"),
    };

    private static double[]? Numbers(JsonObject o, string key, int maxCount) => o[key] switch
    {
        null => null,
        JsonArray array when array.Count <= maxCount => array.Select((v, i) => v is JsonValue n && n.TryGetValue(out double d)
            ? d : throw new FormatException($"'{key}'[{i}] must be a number, got {v?.ToJsonString() ?? "null"}")).ToArray(),
        JsonArray array => throw new FormatException($"'{key}' holds {array.Count} values, more than {maxCount}"),
        var v => throw new FormatException($"'{key}' must be an array of numbers, got {v.ToJsonString()}"),
    };
}
