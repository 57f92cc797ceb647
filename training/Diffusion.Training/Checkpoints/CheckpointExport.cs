using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Training.Export;
using Diffusion.Training.Training;

namespace Diffusion.Training.Checkpoints;

/// <summary>Rebuilds the trained network of a checkpoint, and exports it to ONNX with its scheduler config.</summary>
public static class CheckpointExport
{
    /// <summary>The network of <paramref name="checkpoint"/> with its averaged weights (or its raw weights), and the model's config.</summary>
    /// <exception cref="DiffusionException">The stored network config is invalid, or the weights do not fit it.</exception>
    public static (DenoisingNetwork Network, SchedulerConfig Config) LoadNetwork(Checkpoint checkpoint, bool useEma = true)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var network = checkpoint.Run.Network.Build();
        try
        {
            ParameterTensors.Load(network.Parameters, useEma ? checkpoint.EmaWeights : checkpoint.Weights,
                $"the {(useEma ? "EMA weights" : "weights")} of the checkpoint at step {checkpoint.Step}");
            network.Module.eval();
            return (network, checkpoint.Run.ModelConfig);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Writes the network of the checkpoint at <paramref name="checkpointPath"/> to <paramref name="onnxPath"/>, atomically,
    /// recording the run's dataset (<see cref="DatasetSpec.ShortName"/>) in the model's metadata.</summary>
    /// <param name="checkpointPath">The checkpoint a training run wrote.</param>
    /// <param name="onnxPath">The .onnx file to write.</param>
    /// <param name="useEma">Export the moving average of the weights (else the raw weights).</param>
    /// <param name="prediction">What the model outputs, when not what the network predicts (see <see cref="OnnxExporter.Export"/>).</param>
    /// <returns>The scheduler config embedded in the model.</returns>
    /// <exception cref="DiffusionException">The checkpoint is missing, corrupt or from another architecture.</exception>
    /// <exception cref="IOException">The output cannot be written; the message names it.</exception>
    public static SchedulerConfig ToOnnx(string checkpointPath, string onnxPath, bool useEma = true, PredictionType? prediction = null)
    {
        var checkpoint = CheckpointFile.Load(checkpointPath);
        var (network, config) = LoadNetwork(checkpoint, useEma);
        using (network)
        {
            try
            {
                return OnnxExporter.Export(network.Module, config, onnxPath, checkpoint.Run.Dataset.ShortName, prediction, network.Preconditioning);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw new DiffusionException($"cannot export checkpoint '{checkpointPath}': {e.Message}", e);
            }
        }
    }
}
