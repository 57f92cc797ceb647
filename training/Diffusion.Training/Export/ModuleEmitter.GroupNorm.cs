using Diffusion.Onnx.Graphs;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Export;

// GroupNorm lowered to opset-17 operators (GroupNormalization only arrived in opset 18).
internal sealed partial class ModuleEmitter
{
    /// <summary>
    /// Group normalisation of [N, C, H, W] (Wu &amp; He 2018, eq. 1–2): the channels are viewed as [N, G, C/G·H·W],
    /// where InstanceNormalization with unit scale and zero shift normalises each (sample, group) row by its mean and
    /// biased variance; the result takes the input's shape again, then the per-channel affine map γ·x̂ + β.
    /// </summary>
    public string GroupNorm(GroupNorm norm, string x)
    {
        int groups = checked((int)norm.Groups);
        var grouped = Graph.Reshape(x, 0, groups, -1);
        var normalized = Graph.Node("InstanceNormalization",
            [grouped, Graph.Constant(Enumerable.Repeat(1f, groups).ToArray()), Graph.Constant(new float[groups])],
            OnnxAttribute.Float("epsilon", (float)norm.Eps));
        var y = Graph.Reshape(normalized, Graph.Shape(x));
        // [C] -> [C, 1, 1]: one scale and shift per channel, broadcast over [N, C, H, W].
        if (norm.weight is not null) y = Graph.Mul(y, Unsqueeze(Weight(norm.weight), 1, 2));
        if (norm.bias is not null) y = Graph.Add(y, Unsqueeze(Weight(norm.bias), 1, 2));
        return y;
    }
}
