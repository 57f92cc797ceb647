using Diffusion.Runtime.Models;
using Diffusion.Torch;

namespace Diffusion.Training.Objectives;

/// <summary>
/// A training objective: the noise process a network learns to undo, what it predicts and how the
/// error is weighted. Its <see cref="SchedulerConfig"/> is exactly what the runtime needs to sample
/// the trained network (noise process, prediction type, timestep input and scale).
/// </summary>
public interface IObjective
{
    /// <summary>The objective's name: ddpm, ncsn, vp, subvp or ve.</summary>
    string Name { get; }

    /// <summary>The noise process, prediction type and timestep input the network is trained for.</summary>
    SchedulerConfig SchedulerConfig { get; }

    /// <summary>Draws the times and noise of a batch shaped <paramref name="shape"/> from <paramref name="generator"/>.</summary>
    TrainingNoise Draw(ReadOnlySpan<long> shape, Generator generator);

    /// <summary>The loss (a 0-dimensional tensor) of <paramref name="network"/> on the clean batch
    /// <paramref name="x0"/> [N, C, H, W] with the given times and noise.</summary>
    Tensor Loss(IDenoisingNetwork network, Tensor x0, Tensor? classLabels, TrainingNoise noise);

    /// <summary>The loss on <paramref name="x0"/> with times and noise drawn from <paramref name="generator"/>.</summary>
    Tensor Loss(IDenoisingNetwork network, Tensor x0, Tensor? classLabels, Generator generator);
}
