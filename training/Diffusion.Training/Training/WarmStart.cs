using System.Globalization;
using System.Runtime.InteropServices;
using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Data.Safetensors;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Onnx;

namespace Diffusion.Training.Training;

/// <summary>
/// The weights a new run starts from instead of a random initialisation: those of a model our exporter wrote
/// (its initializers carry the network's own parameter names and shapes). Training continues from a shipped or
/// exported model when its checkpoint (with the optimizer's moments) is gone; Adam's moments start at zero and the
/// learning-rate warm-up covers that. Both the trained network and its moving average start from these weights.
/// </summary>
public sealed class WarmStart
{
    private WarmStart(string path, IReadOnlyDictionary<string, SafetensorsTensor> weights, IReadOnlyList<string> notes, (UNetConfig From, UNetConfig To)? growth)
    {
        Path = path;
        Weights = weights;
        Notes = notes;
        Growth = growth;
    }

    /// <summary>
    /// The model's UNet and the deeper one the run trains, when the run adds residual blocks or attention to it
    /// (<see cref="UNetGrowth"/>); null when the run trains the model's own architecture.
    /// </summary>
    public (UNetConfig From, UNetConfig To)? Growth { get; }

    /// <summary>What the caller should be told, e.g. that the model outputs another prediction than the run trains.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The model file the weights came from.</summary>
    public string Path { get; }

    /// <summary>The model's float32 initializers, by name (parameters, and the graph's constants, which nothing reads).</summary>
    public IReadOnlyDictionary<string, SafetensorsTensor> Weights { get; }

    /// <summary>
    /// Reads the weights of the model at <paramref name="path"/>, after checking that it was trained for what
    /// <paramref name="run"/> trains: the same noise schedule, timestep input and classes (another prediction type is a
    /// note, since an export may convert the network's output). A run whose UNet has more residual blocks per level
    /// or more attention than the model's grows it (<see cref="Growth"/>, a note).
    /// </summary>
    /// <exception cref="DiffusionException">The file is missing or not an ONNX model, has no scheduler config, or
    /// its config differs from the run's; the message names the differing setting.</exception>
    public static WarmStart Read(string path, TrainingRun run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(run);
        var model = ModelEditor.ReadModel(path);
        string json = model.MetadataProps.FirstOrDefault(e => e.Key == SchedulerConfig.MetadataKey)?.Value
            ?? throw new DiffusionModelException($"'{path}' has no '{SchedulerConfig.MetadataKey}' in its metadata_props, so what it was trained for is unknown: start from a model diffusion-train export wrote.");
        var config = SchedulerConfig.Parse(json, $"the scheduler config of '{path}'");
        CheckSameTraining(config, run.ModelConfig, path);
        List<string> notes = [];
        // `export --prediction` converts the network's output inside the graph (mnist-ve ships its epsilon network as a
        // score model), so the config's prediction_type says what the graph outputs, not what the weights predict.
        if (config.PredictionType != run.ModelConfig.PredictionType)
        {
            notes.Add($"'{path}' outputs prediction_type {config.PredictionType.Name()} and this run trains {run.ModelConfig.PredictionType.Name()}: " +
                "its weights are used as they are, which is right when the export converted the network's own prediction (export --prediction).");
        }

        var weights = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        foreach (var initializer in model.Graph.Initializer)
        {
            if (initializer.DataType != (int)TensorProto.Types.DataType.Float) continue;
            float[] values = initializer.RawData.Length > 0
                ? MemoryMarshal.Cast<byte, float>(initializer.RawData.Span).ToArray()
                : initializer.FloatData.ToArray();
            weights[initializer.Name] = SafetensorsTensor.FromFloats(values, initializer.Dims.ToArray());
        }
        var growth = GrowthOf(model, run.Network, path);
        if (growth is var (from, to))
        {
            notes.Add($"'{path}' has {from.ResBlocksPerLevel} residual block(s) per level and attention at [{string.Join(", ", from.AttentionResolutions)}]; " +
                $"this run's UNet has {to.ResBlocksPerLevel} and [{string.Join(", ", to.AttentionResolutions)}]: the added layers start as identities, so the run starts from the model's function.");
        }
        return new WarmStart(path, weights, notes, growth);
    }

    /// <summary>
    /// The starting values of <paramref name="network"/>'s parameters: the model's weights, grown (<see cref="Growth"/>)
    /// around the network's own initial values when the run adds layers. The graph's constants are left out.
    /// </summary>
    public IReadOnlyDictionary<string, SafetensorsTensor> WeightsFor(DenoisingNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (Growth is var (from, to)) return UNetGrowth.Grow(from, Weights, to, ParameterTensors.Capture(network.Parameters.Select(p => (p.name, (Tensor)p.parameter))));
        return network.Parameters.Select(p => p.name).Where(Weights.ContainsKey).ToDictionary(n => n, n => Weights[n], StringComparer.Ordinal);
    }

    /// <summary>
    /// The model's UNet config and the run's, when the run's grows the model's; null when they are the same (or the
    /// model does not say). A UNet that differs otherwise is refused here, saying what cannot change.
    /// </summary>
    private static (UNetConfig, UNetConfig)? GrowthOf(ModelProto model, NetworkSpec network, string path)
    {
        string? Metadata(string key) => model.MetadataProps.FirstOrDefault(e => e.Key == key)?.Value;
        if (network.Kind != NetworkSpec.UNetKind || Metadata(OnnxExporter.NetworkTypeKey) != nameof(UNet)) return null;
        if (Metadata(OnnxExporter.NetworkConfigKey) is not { } json) return null;
        UNetConfig from = UNetConfig.FromJson(json), to = UNetConfig.FromJson(network.ConfigJson);
        if (from == to) return null;
        if (UNetGrowth.WhyNot(from, to) is { } why)
            throw new DiffusionException($"'{path}' is a UNet of another architecture than this run's, and {why}: train with the options it was made with (its network_config), or grow it.");
        return (from, to);
    }

    /// <summary>Settings that change what the network learns; a model trained under other values would start the run wrong.</summary>
    private static void CheckSameTraining(SchedulerConfig model, SchedulerConfig run, string path)
    {
        (string key, object modelValue, object runValue)[] settings =
        [
            ("noise_schedule", model.NoiseSchedule, run.NoiseSchedule),
            ("num_train_timesteps", model.NumTrainTimesteps, run.NumTrainTimesteps),
            ("beta_schedule", model.BetaSchedule, run.BetaSchedule),
            ("beta_start", model.BetaStart, run.BetaStart),
            ("beta_end", model.BetaEnd, run.BetaEnd),
            ("beta_min", model.BetaMin, run.BetaMin),
            ("beta_max", model.BetaMax, run.BetaMax),
            ("sigma_min", model.SigmaMin, run.SigmaMin),
            ("sigma_max", model.SigmaMax, run.SigmaMax),
            ("timestep_input", model.TimestepInput, run.TimestepInput),
            ("timestep_scale", model.TimestepScale, run.TimestepScale),
            ("num_classes", model.NumClasses, run.NumClasses),
        ];
        foreach (var (key, modelValue, runValue) in settings)
        {
            if (!Equals(modelValue, runValue))
            {
                throw new DiffusionException(string.Create(CultureInfo.InvariantCulture,
                    $"'{path}' was trained with {key} = {modelValue}, but this run trains with {runValue}: start from a model of the same objective and schedule, or pass the options that match it."));
            }
        }
    }
}
