using Diffusion.Torch;
using Diffusion.Training.Training;

namespace Diffusion.Training.Objectives;

/// <summary>
/// What an objective needs of a network: one forward pass from a noisy batch, the value of its
/// timestep input and optional class labels to a prediction shaped like the batch.
/// </summary>
public interface IDenoisingNetwork
{
    /// <summary>The network's output for <paramref name="sample"/> [N, C, H, W].</summary>
    /// <param name="sample">The noisy batch.</param>
    /// <param name="timestep">[N] float32: what the runtime will feed the model's <c>timestep</c> input
    /// (<see cref="Diffusion.Runtime.Models.SchedulerConfig.TimestepValue"/>).</param>
    /// <param name="classLabels">[N] int64 class labels, or null for an unconditional batch.</param>
    Tensor Forward(Tensor sample, Tensor timestep, Tensor? classLabels);

    /// <summary>The scaling the caller applies around <see cref="Forward"/> at each sample's noise level
    /// (<see cref="Training.Preconditioning"/>), or null for the raw sample and output.</summary>
    Preconditioning? Preconditioning => null;
}
