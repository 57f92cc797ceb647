using Diffusion.Onnx.Graphs;
using Diffusion.Torch;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Export;

/// <summary>
/// The op-mapping layer of the exporter: writes the ONNX nodes (opset 17) of one module into a graph, given the
/// name of its input value, and returns the name of its output value. Weights become initializers named after the
/// network's own parameter and buffer names (e.g. <c>down.0.res.1.conv1.weight</c>), with the same shape and
/// values, each added once on first use. The per-module mappings live in the other parts of this class.
/// </summary>
internal sealed partial class ModuleEmitter
{
    private readonly Dictionary<Tensor, string> names = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Tensor> written = new(ReferenceEqualityComparer.Instance);

    /// <summary>Emits into <paramref name="graph"/> the modules of <paramref name="network"/>, naming weights after its parameters.</summary>
    public ModuleEmitter(OnnxModelBuilder graph, Module network)
    {
        Graph = graph;
        foreach (var (name, parameter) in network.named_parameters()) names[parameter] = name;
        foreach (var (name, buffer) in network.named_buffers()) names[buffer] = name;
    }

    /// <summary>The graph being written.</summary>
    public OnnxModelBuilder Graph { get; }

    /// <summary>The names of the network's parameters and buffers that no emitted node has used yet.</summary>
    public IEnumerable<string> Unused => names.Where(entry => !written.Contains(entry.Key)).Select(entry => entry.Value);

    /// <summary>Throws when a parameter or buffer of the network is missing from the graph: the graph would not be its forward pass.</summary>
    public void RequireEveryWeightUsed(string typeName)
    {
        var unused = Unused.ToList();
        if (unused.Count > 0)
        {
            throw new InvalidOperationException($"the exported {typeName} graph leaves out {string.Join(", ", unused)}: the exporter does not mirror the network's forward pass");
        }
    }

    /// <summary>The output of a single-input module applied to <paramref name="x"/>, at inference (dropout is the identity).</summary>
    public string Emit(Module<Tensor, Tensor> module, string x) => module switch
    {
        Linear linear => Linear(linear, x),
        Conv2d conv => Conv2d(conv, x),
        GroupNorm norm => GroupNorm(norm, x),
        SiLU _ => SiLU(x),
        Dropout _ => x,
        Embedding embedding => Embedding(embedding, x),
        SelfAttention2d attention => SelfAttention(attention, x),
        Upsample upsample => Upsample(upsample, x),
        Downsample downsample => Conv2d(downsample.conv, x),
        SinusoidalTimestepEmbedding sinusoidal => Sinusoidal(sinusoidal, x),
        Networks.TimeEmbedding embedding => TimeEmbedding(embedding, x),
        _ => throw new NotSupportedException($"the ONNX exporter has no mapping for the module type {module.GetType().Name}: add one to {nameof(ModuleEmitter)}"),
    };

    /// <summary>The initializer holding <paramref name="tensor"/>, a parameter or buffer of the network (as float32).</summary>
    public string Weight(Tensor tensor)
    {
        if (!names.TryGetValue(tensor, out var name))
        {
            throw new InvalidOperationException("the exporter met a tensor that is not a parameter or buffer of the exported network: register it on its module");
        }
        if (written.Add(tensor)) Graph.Initializer(name, tensor.ToArray<float>(), tensor.shape);
        return name;
    }

    /// <summary><c>Unsqueeze</c>: inserts size-1 dimensions at <paramref name="axes"/> (an input since opset 13).</summary>
    private string Unsqueeze(string x, params long[] axes) => Graph.Node("Unsqueeze", [x, Graph.Constant(axes)]);

    /// <summary><c>Transpose</c> by <paramref name="perm"/>.</summary>
    private string Transpose(string x, params long[] perm) => Graph.Node("Transpose", [x], OnnxAttribute.Ints("perm", perm));

    /// <summary><c>Concat</c> along <paramref name="axis"/>.</summary>
    public string Concat(long axis, params string[] values) => Graph.Node("Concat", values, OnnxAttribute.Int("axis", axis));
}
