using Diffusion.Torch;
using Diffusion.Training.Objectives;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>A stand-in network with a known output, out = Scale * x + Shift, that records the timesteps it was given.</summary>
internal sealed class AffineNetwork(double scale, double shift) : IDenoisingNetwork
{
    public double Scale { get; } = scale;

    public double Shift { get; } = shift;

    public float[] Timesteps { get; private set; } = [];

    public Tensor Forward(Tensor sample, Tensor timestep, Tensor? classLabels)
    {
        Timesteps = timestep.ToArray<float>();
        return sample * Scale + Shift;
    }
}
