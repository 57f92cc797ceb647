using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Torch.Modules;
using Onnx;

namespace Diffusion.Training.Export;

/// <summary>
/// Exports a trained network (<see cref="Networks.UNet"/> or <see cref="Networks.MlpDenoiser"/>, any configuration) to
/// an ONNX file the runtime loads: opset 17, inputs <c>sample</c> float32 [batch, C, H, W], <c>timestep</c> float32 [batch]
/// (the raw value; the time embedding is computed in the graph) and, for class-conditional networks, <c>class_labels</c>
/// int64 [batch]; output <c>out_sample</c> [batch, C, H, W]. Weights are initializers named after the network's
/// parameters. The scheduler config is embedded in <c>metadata_props</c> under <see cref="SchedulerConfig.MetadataKey"/>,
/// the network's type and configuration under <see cref="NetworkTypeKey"/> and <see cref="NetworkConfigKey"/>, and the
/// training data's name, when known, under <see cref="DatasetKey"/>.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The metadata key holding the network's type name (<c>UNet</c>, <c>MlpDenoiser</c>).</summary>
    public const string NetworkTypeKey = "network_type";

    /// <summary>The metadata key holding the network's configuration as JSON (its config record's <c>ToJson</c>).</summary>
    public const string NetworkConfigKey = "network_config";

    /// <summary>The metadata key holding the name of the training data (e.g. <c>mnist</c>, <c>ring</c>, or a .npy file's name).</summary>
    public const string DatasetKey = "dataset";

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
    public static SchedulerConfig Export(Module network, SchedulerConfig config, string path, string? dataset = null, PredictionType? prediction = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (model, embedded) = Build(network, config, dataset, prediction);
        model.Save(path);
        return embedded;
    }

    /// <summary>The ONNX model <see cref="Export"/> writes, in memory.</summary>
    public static ModelProto ToModel(Module network, SchedulerConfig config, string? dataset = null, PredictionType? prediction = null) =>
        Build(network, config, dataset, prediction).Model;

    private static (ModelProto Model, SchedulerConfig Config) Build(Module network, SchedulerConfig config, string? dataset, PredictionType? prediction)
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
        Dim[] sampleDims = [ModelContract.Batch, shape.Channels, shape.Height, shape.Width];
        var sample = builder.Input(ModelContract.Sample, ElementType.Float32, sampleDims);
        var timestep = builder.Input(ModelContract.Timestep, ElementType.Float32, ModelContract.Batch);
        var labels = graph.NumClasses is null ? null : builder.Input(ModelContract.ClassLabels, ElementType.Int64, ModelContract.Batch);

        var emitter = new ModuleEmitter(builder, network);
        var output = graph.Emit(emitter, sample, timestep, labels);
        if (prediction is { } target && target != embedded.PredictionType)
        {
            output = ConvertPrediction(builder, embedded, target, output, sample, timestep);
            embedded = embedded with { PredictionType = target };
        }
        builder.Output(output, ModelContract.Output, ElementType.Float32, sampleDims);
        emitter.RequireEveryWeightUsed(graph.TypeName);

        builder.Metadata[SchedulerConfig.MetadataKey] = embedded.ToJson();
        builder.Metadata[NetworkTypeKey] = graph.TypeName;
        builder.Metadata[NetworkConfigKey] = graph.ConfigJson;
        if (dataset is not null) builder.Metadata[DatasetKey] = dataset;
        return (builder.Build(), embedded);
    }

    private static string ConvertPrediction(OnnxModelBuilder builder, SchedulerConfig config, PredictionType target, string output, string sample, string timestep)
    {
        if (!NoiseLevelGraph.InputsFor(config.NoiseSchedule).Contains(config.TimestepInput))
        {
            throw new NotSupportedException(
                $"cannot export a {target.Name()} model from a {config.PredictionType.Name()} network conditioned on {config.TimestepInput.Name()} of a {config.NoiseSchedule} process: " +
                "the graph cannot compute its noise level; export the network's own prediction");
        }
        var (alpha, sigma) = NoiseLevelGraph.Build(builder, timestep, ElementType.Float32, config);
        return PredictionGraph.Convert(builder, output, config.PredictionType, target, sample, alpha, sigma, sampleRank: 4);
    }
}
