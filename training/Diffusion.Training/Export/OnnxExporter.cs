using System.Globalization;
using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Torch.Modules;
using Diffusion.Training.Training;
using Onnx;

namespace Diffusion.Training.Export;

/// <summary>
/// Exports a trained network (<see cref="Networks.UNet"/> or <see cref="Networks.MlpDenoiser"/>, any configuration) to
/// an ONNX file the runtime loads: opset 17, inputs <c>sample</c> float32 [batch, C, H, W], <c>timestep</c> float32 [batch]
/// (the raw value; the time embedding is computed in the graph) and, for class-conditional networks, <c>class_labels</c>
/// int64 [batch]; output <c>out_sample</c> [batch, C, H, W]. Weights are initializers named after the network's
/// parameters. The scheduler config is embedded in <c>metadata_props</c> under <see cref="SchedulerConfig.MetadataKey"/>,
/// the network's type and configuration under <see cref="NetworkTypeKey"/> and <see cref="NetworkConfigKey"/>, and the
/// training data's name, when known, under <see cref="DatasetKey"/>. A network's <see cref="Preconditioning"/> becomes
/// nodes around it (recorded under <see cref="SigmaDataKey"/>), so the model takes the raw sample.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The metadata key holding the network's type name (<c>UNet</c>, <c>MlpDenoiser</c>).</summary>
    public const string NetworkTypeKey = "network_type";

    /// <summary>The metadata key holding the network's configuration as JSON (its config record's <c>ToJson</c>).</summary>
    public const string NetworkConfigKey = "network_config";

    /// <summary>The metadata key holding the name of the training data (e.g. <c>mnist</c>, <c>ring</c>, or a .npy file's name).</summary>
    public const string DatasetKey = "dataset";

    /// <summary>The metadata key holding sigma_data of the <see cref="Preconditioning"/> the graph applies, when it has one.
    /// For information only: the runtime feeds the raw sample either way.</summary>
    public const string SigmaDataKey = "preconditioning_sigma_data";

    /// <summary>
    /// Writes <paramref name="network"/> to <paramref name="path"/> atomically (a temporary file renamed into place;
    /// missing folders are created) and returns the scheduler config embedded: <paramref name="config"/> with
    /// <c>in_channels</c>, <c>sample_size</c>, <c>num_classes</c> and <c>null_class_label</c> taken from the network.
    /// </summary>
    /// <param name="network">The network to export.</param>
    /// <param name="config">Its scheduler config.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="dataset">The training data's name (<see cref="Training.DatasetSpec.ShortName"/>), recorded under
    /// <see cref="DatasetKey"/>; null leaves the key out.</param>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    /// <exception cref="ArgumentException">The config disagrees with the network.</exception>
    /// <param name="prediction">What the exported model outputs, when it differs from what the network predicts
    /// (<c>config.PredictionType</c>): the graph converts the network's output (<see cref="PredictionGraph"/>), and the
    /// embedded config names the new type. Null keeps the network's own.</param>
    /// <exception cref="NotSupportedException">The module is not an exportable network, or the conversion needs a noise
    /// level the timestep input does not determine in the graph.</exception>
    /// <param name="preconditioning">The scaling around the network (its <see cref="NetworkSpec.Preconditioning"/>), or null.</param>
    public static SchedulerConfig Export(Module network, SchedulerConfig config, string path, string? dataset = null, PredictionType? prediction = null,
        Preconditioning? preconditioning = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (model, embedded) = Build(network, config, dataset, prediction, preconditioning);
        model.Save(path);
        return embedded;
    }

    /// <summary>The ONNX model <see cref="Export"/> writes, in memory.</summary>
    public static ModelProto ToModel(Module network, SchedulerConfig config, string? dataset = null, PredictionType? prediction = null,
        Preconditioning? preconditioning = null) =>
        Build(network, config, dataset, prediction, preconditioning).Model;

    private static (ModelProto Model, SchedulerConfig Config) Build(Module network, SchedulerConfig config, string? dataset, PredictionType? prediction,
        Preconditioning? preconditioning)
    {
        var graph = NetworkGraph.For(network);
        var embedded = ModelContract.Describe(config, graph);
        var builder = new OnnxModelBuilder(graph.TypeName)
        {
            OpsetVersion = 17,
            ProducerName = "Diffusion.Training",
            DocString = $"{graph.TypeName} noise predictor exported by Diffusion.Training",
        };
        var shape = graph.SampleShape;
        // A fully convolutional network takes any multiple of its size multiple; the config's sample_size
        // (the trained size) stays the runtime's default.
        Dim[] sampleDims = graph.SizeMultiple is null
            ? [ModelContract.Batch, shape.Channels, shape.Height, shape.Width]
            : [ModelContract.Batch, shape.Channels, ModelContract.Height, ModelContract.Width];
        var sample = builder.Input(ModelContract.Sample, ElementType.Float32, sampleDims);
        var timestep = builder.Input(ModelContract.Timestep, ElementType.Float32, ModelContract.Batch);
        var labels = graph.NumClasses is null ? null : builder.Input(ModelContract.ClassLabels, ElementType.Int64, ModelContract.Batch);

        // The noise level (alpha, sigma) from the timestep, built once for whichever of the two needs it.
        (string Alpha, string Sigma)? level = null;
        (string Alpha, string Sigma) NoiseLevel(string purpose) => level ??= BuildNoiseLevel(builder, timestep, embedded, purpose);

        var emitter = new ModuleEmitter(builder, network);
        string output;
        if (preconditioning is null)
        {
            output = graph.Emit(emitter, sample, timestep, labels);
        }
        else
        {
            preconditioning.Validate();
            if (preconditioning.Output && embedded.PredictionType != PredictionType.Sample)
                throw new ArgumentException($"a network with output preconditioning predicts the clean sample, but the config's prediction_type is {embedded.PredictionType.Name()}");
            var (alpha, sigma) = NoiseLevel("precondition the network");
            output = Preconditioned(builder, preconditioning, sample, alpha, sigma, input => graph.Emit(emitter, input, timestep, labels));
            builder.Metadata[SigmaDataKey] = preconditioning.SigmaData.ToString("R", CultureInfo.InvariantCulture);
        }
        if (prediction is { } target && target != embedded.PredictionType)
        {
            var (alpha, sigma) = NoiseLevel($"convert its {embedded.PredictionType.Name()} prediction to {target.Name()}");
            output = PredictionGraph.Convert(builder, output, embedded.PredictionType, target, sample, alpha, sigma, sampleRank: 4);
            embedded = embedded with { PredictionType = target };
        }
        builder.Output(output, ModelContract.Output, ElementType.Float32, sampleDims);
        emitter.RequireEveryWeightUsed(graph.TypeName);

        builder.Metadata[SchedulerConfig.MetadataKey] = embedded.ToJson();
        builder.Metadata[NetworkTypeKey] = graph.TypeName;
        builder.Metadata[NetworkConfigKey] = graph.ConfigJson;
        if (dataset is not null) builder.Metadata[DatasetKey] = dataset;
        if (graph.SizeMultiple is { } multiple)
            builder.Metadata[OnnxDiffusionModel.SampleSizeMultipleMetadataKey] = multiple.ToString(CultureInfo.InvariantCulture);
        return (builder.Build(), embedded);
    }

    private static (string Alpha, string Sigma) BuildNoiseLevel(OnnxModelBuilder builder, string timestep, SchedulerConfig config, string purpose)
    {
        if (!NoiseLevelGraph.InputsFor(config.NoiseSchedule).Contains(config.TimestepInput))
        {
            throw new NotSupportedException(
                $"the graph of a network conditioned on {config.TimestepInput.Name()} of a {config.NoiseSchedule} process cannot compute its noise level, " +
                $"which it needs to {purpose}: export the network's own prediction, without preconditioning");
        }
        return NoiseLevelGraph.Build(builder, timestep, ElementType.Float32, config);
    }

    // The arithmetic of Preconditioning, per sample: with v = sigma^2 + alpha^2 sigma_data^2, the network sees
    // x / sqrt(v), and with output preconditioning D = (alpha sigma_data^2 / v) x + (sigma sigma_data / sqrt(v)) F.
    private static string Preconditioned(OnnxModelBuilder g, Preconditioning preconditioning, string sample, string alpha, string sigma, Func<string, string> network)
    {
        var sigmaData = g.Constant((float)preconditioning.SigmaData);
        var a = g.Reshape(alpha, [-1, 1, 1, 1]);
        var s = g.Reshape(sigma, [-1, 1, 1, 1]);
        var alphaSigmaData = g.Mul(a, sigmaData);
        var variance = g.Add(g.Mul(s, s), g.Mul(alphaSigmaData, alphaSigmaData));
        var inputFactor = g.Reciprocal(g.Sqrt(variance));
        var output = network(g.Mul(sample, inputFactor));
        if (!preconditioning.Output) return output;
        var skip = g.Div(g.Mul(alphaSigmaData, sigmaData), variance);
        var outputFactor = g.Mul(g.Mul(s, sigmaData), inputFactor);
        return g.Add(g.Mul(skip, sample), g.Mul(outputFactor, output));
    }
}
