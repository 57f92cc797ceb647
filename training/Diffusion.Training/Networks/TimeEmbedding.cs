using Diffusion.Torch;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Networks;

/// <summary>
/// Timestep conditioning of DDPM (Ho et al. 2020): the sinusoidal embedding of the raw timestep value
/// followed by Linear → SiLU → Linear.
/// </summary>
public sealed class TimeEmbedding : Module<Tensor, Tensor>
{
    /// <summary>Embeds into <paramref name="sinusoidalDim"/> sinusoids, then maps to <paramref name="outputDim"/>.</summary>
    public TimeEmbedding(long sinusoidalDim, long outputDim, Generator? generator = null)
    {
        sinusoidal = RegisterModule("sinusoidal", new SinusoidalTimestepEmbedding(sinusoidalDim));
        linear1 = RegisterModule("linear1", new Linear(sinusoidalDim, outputDim, generator: generator));
        linear2 = RegisterModule("linear2", new Linear(outputDim, outputDim, generator: generator));
    }

    /// <summary>The fixed sinusoidal features.</summary>
    public SinusoidalTimestepEmbedding sinusoidal { get; }

    /// <summary>First projection.</summary>
    public Linear linear1 { get; }

    /// <summary>Second projection.</summary>
    public Linear linear2 { get; }

    /// <summary>Timesteps [N] to embeddings [N, outputDim].</summary>
    public override Tensor forward(Tensor input)
    {
        using var features = sinusoidal.forward(input);
        using var hidden = linear1.forward(features);
        using var activated = hidden.silu();
        return linear2.forward(activated);
    }
}
