using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Diffusion.Runtime;
using Diffusion.Runtime.Models;
using Diffusion.Training.Data.Safetensors;
using Diffusion.Training.Data.Sampling;
using Diffusion.Training.Training;

namespace Diffusion.Training.Checkpoints;

/// <summary>
/// Writes and reads checkpoints as safetensors files. Tensors: <c>model.NAME</c> (weights),
/// <c>ema.NAME</c> (their moving average), <c>optimizer.m.NAME</c> and <c>optimizer.v.NAME</c>
/// (Adam's moments), all float32. <c>__metadata__</c>: <c>format</c>, <c>format_version</c>,
/// <c>step</c>, <c>optimizer_step</c>, <c>sampler_seed</c>, <c>sampler_step</c>, <c>seed</c> and
/// <c>rng</c> (how each step's generators derive from the seed), <c>loss</c>, <c>dataset</c>,
/// <c>objective</c>, <c>scheduler_config</c> (the model's config JSON), <c>network</c>,
/// <c>network_config</c> and <c>training_options</c> (JSON), <c>noise_levels</c> (JSON, when not the objective's
/// own), and <c>tensor_sha256</c>: a JSON object of every tensor's SHA-256 (hex) over its data bytes.
/// Loading verifies each checksum and that every floating-point value is finite, and names the first tensor
/// that fails; files written before checksums existed are read without that check.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The value of the <c>format</c> metadata key.</summary>
    public const string Format = "diffusion-train-checkpoint";

    /// <summary>The version this code writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The metadata keys of the network's <see cref="Preconditioning"/>, present only when it has one:
    /// sigma_data, and <c>true</c> under the second when the output is preconditioned too.</summary>
    private const string SigmaDataKey = "input_sigma_data", OutputPreconditioningKey = "output_preconditioning";

    /// <summary>The metadata key of the run's <see cref="Objectives.NoiseLevelRecipe"/> (JSON), present only when it is not the objective's own.</summary>
    private const string NoiseLevelsKey = "noise_levels";

    /// <summary>The metadata key of the tensors' checksums: a JSON object of name to lower-case hex SHA-256 of the data bytes.</summary>
    public const string ChecksumsKey = "tensor_sha256";

    private const string ModelPrefix = "model.", EmaPrefix = "ema.", FirstMomentPrefix = "optimizer.m.", SecondMomentPrefix = "optimizer.v.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically: an existing file is replaced only by a complete one.</summary>
    /// <exception cref="DiffusionException">A stored value is NaN or infinite (the file is then left as it was).</exception>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void Save(string path, Checkpoint checkpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var tensors = new List<KeyValuePair<string, SafetensorsTensor>>();
        void Add(string prefix, IReadOnlyDictionary<string, SafetensorsTensor> group)
        {
            foreach (var (name, tensor) in group)
            {
                if (tensor.ToFloats().Any(v => !float.IsFinite(v)))
                    throw new DiffusionException($"not writing checkpoint '{path}' at step {checkpoint.Step}: '{prefix}{name}' holds NaN or infinite values.");
                tensors.Add(new(prefix + name, tensor));
            }
        }
        Add(ModelPrefix, checkpoint.Weights);
        Add(EmaPrefix, checkpoint.EmaWeights);
        Add(FirstMomentPrefix, checkpoint.FirstMoments);
        Add(SecondMomentPrefix, checkpoint.SecondMoments);
        var run = checkpoint.Run;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = Version.ToString(CultureInfo.InvariantCulture),
            ["step"] = checkpoint.Step.ToString(CultureInfo.InvariantCulture),
            ["optimizer_step"] = checkpoint.OptimizerStep.ToString(CultureInfo.InvariantCulture),
            ["sampler_seed"] = checkpoint.Sampler.Seed.ToString(CultureInfo.InvariantCulture),
            ["sampler_step"] = checkpoint.Sampler.Step.ToString(CultureInfo.InvariantCulture),
            ["seed"] = run.Options.Seed.ToString(CultureInfo.InvariantCulture),
            ["rng"] = "libtorch CPU generators seeded per step with StepRandomness.Seed(seed, step, stream)",
            ["dataset"] = JsonSerializer.Serialize(run.Dataset, Json),
            ["objective"] = run.Objective,
            ["scheduler_config"] = run.ModelConfig.ToJson(),
            ["network"] = run.Network.Kind,
            ["network_config"] = run.Network.ConfigJson,
            ["training_options"] = JsonSerializer.Serialize(run.Options, Json),
        };
        if (run.Network.Preconditioning is { } preconditioning)
        {
            metadata[SigmaDataKey] = preconditioning.SigmaData.ToString("R", CultureInfo.InvariantCulture);
            if (preconditioning.Output) metadata[OutputPreconditioningKey] = "true";
        }
        metadata[ChecksumsKey] = JsonSerializer.Serialize(
            new SortedDictionary<string, string>(tensors.ToDictionary(t => t.Key, t => Checksum(t.Value)), StringComparer.Ordinal), Json);
        if (!run.NoiseLevels.IsOwn) metadata[NoiseLevelsKey] = JsonSerializer.Serialize(run.NoiseLevels, Json);
        if (checkpoint.Loss is { } loss) metadata["loss"] = loss.ToString("R", CultureInfo.InvariantCulture);
        SafetensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>Reads the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="DiffusionException">The file is missing, corrupt, or not a checkpoint of this program; the message says which.</exception>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SafetensorsContent content;
        try
        {
            content = SafetensorsFile.Read(path);
        }
        catch (FileNotFoundException e)
        {
            throw new DiffusionException($"checkpoint '{path}' does not exist: pass the checkpoint.safetensors a training run wrote.", e);
        }
        catch (InvalidDataException e)
        {
            throw new DiffusionException($"checkpoint '{path}' is corrupt: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DiffusionException($"cannot read checkpoint '{path}': {e.Message}", e);
        }
        var meta = content.Metadata;
        if (!meta.TryGetValue("format", out string? format) || format != Format)
            throw new DiffusionException($"'{path}' is not a checkpoint of diffusion-train: its metadata has no format '{Format}'.");
        if (Long(meta, "format_version", path) != Version)
            throw new DiffusionException($"checkpoint '{path}' has format version {meta["format_version"]}; this program reads version {Version}.");
        VerifyTensors(content, meta, path);

        var run = new TrainingRun(
            Parse<DatasetSpec>(meta, "dataset", path),
            Text(meta, "objective", path),
            ParseConfig(meta, path),
            new NetworkSpec(Text(meta, "network", path), Text(meta, "network_config", path),
                meta.ContainsKey(SigmaDataKey) ? new Preconditioning(Double(meta, SigmaDataKey, path), meta.ContainsKey(OutputPreconditioningKey)) : null),
            Parse<TrainingOptions>(meta, "training_options", path))
        {
            NoiseLevels = meta.ContainsKey(NoiseLevelsKey) ? Parse<Objectives.NoiseLevelRecipe>(meta, NoiseLevelsKey, path) : Objectives.NoiseLevelRecipe.Own,
        };
        return new Checkpoint
        {
            Run = run,
            Step = NonNegative(meta, "step", path),
            OptimizerStep = NonNegative(meta, "optimizer_step", path),
            Sampler = new SamplerState(Long(meta, "sampler_seed", path), NonNegative(meta, "sampler_step", path)),
            Loss = meta.TryGetValue("loss", out string? loss) && double.TryParse(loss, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null,
            Weights = Group(content, ModelPrefix),
            EmaWeights = Group(content, EmaPrefix),
            FirstMoments = Group(content, FirstMomentPrefix),
            SecondMoments = Group(content, SecondMomentPrefix),
        };
    }

    /// <summary>The lower-case hex SHA-256 of a tensor's data bytes.</summary>
    public static string Checksum(SafetensorsTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tensor.Bytes));
    }

    /// <summary>Checks every tensor against its stored checksum (when the file has them) and for NaN or infinite values.</summary>
    private static void VerifyTensors(SafetensorsContent content, IReadOnlyDictionary<string, string> meta, string path)
    {
        if (meta.TryGetValue(ChecksumsKey, out string? json))
        {
            Dictionary<string, string> checksums;
            try
            {
                checksums = JsonSerializer.Deserialize<Dictionary<string, string>>(json, Json) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new DiffusionException($"checkpoint '{path}' has a malformed '{ChecksumsKey}': {e.Message}", e);
            }
            foreach (var (name, tensor) in content.Tensors)
            {
                if (!checksums.TryGetValue(name, out string? expected))
                    throw new DiffusionException($"checkpoint '{path}' is corrupt: tensor '{name}' has no checksum in '{ChecksumsKey}' (a tensor was added after it was written).");
                if (!string.Equals(expected, Checksum(tensor), StringComparison.OrdinalIgnoreCase))
                    throw new DiffusionException($"checkpoint '{path}' is corrupt: the data of tensor '{name}' does not match its checksum; restore the file from a copy or train again.");
            }
            if (checksums.Keys.FirstOrDefault(name => !content.Tensors.ContainsKey(name)) is { } missing)
                throw new DiffusionException($"checkpoint '{path}' is corrupt: tensor '{missing}' has a checksum but is missing from the file.");
        }
        foreach (var (name, tensor) in content.Tensors)
        {
            if (tensor.DType is not (SafetensorsDType.F32 or SafetensorsDType.F64)) continue; // what checkpoints hold
            double[] values = tensor.ToDoubles();
            int bad = Array.FindIndex(values, v => !double.IsFinite(v));
            if (bad >= 0)
            {
                throw new DiffusionException(string.Create(CultureInfo.InvariantCulture,
                    $"checkpoint '{path}' holds a non-finite value in tensor '{name}' (element {bad} is {values[bad]}); it cannot be resumed or exported: use an earlier checkpoint."));
            }
        }
    }

    private static long NonNegative(IReadOnlyDictionary<string, string> meta, string key, string path)
    {
        long value = Long(meta, key, path);
        return value >= 0 ? value : throw new DiffusionException($"checkpoint '{path}' has a negative '{key}' ({value}); it is corrupt.");
    }

    private static Dictionary<string, SafetensorsTensor> Group(SafetensorsContent content, string prefix) =>
        content.Tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Key[prefix.Length..], t => t.Value, StringComparer.Ordinal);

    private static string Text(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out string? value) ? value : throw new DiffusionException($"checkpoint '{path}' lacks the metadata '{key}'; it is incomplete or from another program.");

    private static long Long(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        long.TryParse(Text(meta, key, path), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new DiffusionException($"checkpoint '{path}' has a malformed '{key}': '{meta[key]}' is not an integer.");

    private static double Double(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        double.TryParse(Text(meta, key, path), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new DiffusionException($"checkpoint '{path}' has a malformed '{key}': '{meta[key]}' is not a number.");

    private static T Parse<T>(IReadOnlyDictionary<string, string> meta, string key, string path) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Text(meta, key, path), Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new DiffusionException($"checkpoint '{path}' has a malformed '{key}': {e.Message}", e);
        }
    }

    private static SchedulerConfig ParseConfig(IReadOnlyDictionary<string, string> meta, string path)
    {
        try
        {
            return SchedulerConfig.Parse(Text(meta, "scheduler_config", path), $"of checkpoint '{path}'");
        }
        catch (DiffusionException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new DiffusionException($"checkpoint '{path}': {e.Message}", e);
        }
    }
}
