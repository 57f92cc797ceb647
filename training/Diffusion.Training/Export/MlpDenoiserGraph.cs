using Diffusion.Runtime.Generation;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Export;

/// <summary>The graph of an <see cref="MlpDenoiser"/> on samples laid out as images [N, D, 1, 1], as its forward pass.</summary>
internal sealed class MlpDenoiserGraph(MlpDenoiser net) : NetworkGraph
{
    public override string TypeName => nameof(MlpDenoiser);

    public override string ConfigJson => net.Config.ToJson();

    public override SampleShape SampleShape => new(net.Config.DataDimension, 1, 1);

    public override int? NumClasses => null;

    public override string Emit(ModuleEmitter g, string sample, string timestep, string? classLabels)
    {
        int d = net.Config.DataDimension;
        var embedding = g.TimeEmbedding(net.time_embedding, timestep);
        var h = g.Graph.Reshape(sample, 0, d);
        if (net.Config.TimeConditioning == TimeConditioning.Add)
        {
            foreach (var layer in net.layers) h = g.SiLU(g.Graph.Add(g.Linear(layer, h), embedding));
        }
        else
        {
            h = g.Concat(1, h, embedding);
            foreach (var layer in net.layers) h = g.SiLU(g.Linear(layer, h));
        }
        return g.Graph.Reshape(g.Linear(net.@out, h), 0, d, 1, 1);
    }
}
