using Diffusion.Torch.Modules;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Export;

// Timestep conditioning, computed inside the graph from the raw timestep the runtime feeds.
internal sealed partial class ModuleEmitter
{
    /// <summary>Timesteps [N] to [sin(t·ωₖ) | cos(t·ωₖ)] of shape [N, dim], with the frequencies ωₖ from the module's buffer.</summary>
    public string Sinusoidal(SinusoidalTimestepEmbedding embedding, string timestep)
    {
        // [N, 1] * [half] -> [N, half]
        var angles = Graph.Mul(Unsqueeze(timestep, 1), Weight(embedding.frequencies));
        return Concat(1, Graph.Node("Sin", [angles]), Graph.Node("Cos", [angles]));
    }

    /// <summary>linear2(SiLU(linear1(sinusoidal(t)))).</summary>
    public string TimeEmbedding(TimeEmbedding embedding, string timestep) =>
        Linear(embedding.linear2, SiLU(Linear(embedding.linear1, Sinusoidal(embedding.sinusoidal, timestep))));
}
