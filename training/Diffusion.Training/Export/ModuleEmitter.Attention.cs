using Diffusion.Onnx.Graphs;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Export;

// Self-attention from MatMul, Softmax, Transpose and Reshape.
internal sealed partial class ModuleEmitter
{
    /// <summary>
    /// x + proj_out(attention(norm(x))) over the H·W positions of [N, C, H, W], with per-head
    /// softmax(Q Kᵀ / √d) V (Vaswani et al. 2017, eq. 1), d = C / heads, in the layout <see cref="SelfAttention2d"/> uses.
    /// </summary>
    public string SelfAttention(SelfAttention2d attention, string x)
    {
        long c = attention.Channels, heads = attention.Heads, d = c / heads;
        // [N, C, H, W] -> [N, HW, C]: one token per position.
        var tokens = Transpose(Graph.Reshape(GroupNorm(attention.norm, x), 0, c, -1), 0, 2, 1);
        // [N, HW, C] -> [N, heads, HW, d]
        string SplitHeads(string t) => Transpose(Graph.Reshape(t, 0, 0, heads, d), 0, 2, 1, 3);
        var q = SplitHeads(Linear(attention.query, tokens));
        var k = SplitHeads(Linear(attention.key, tokens));
        var v = SplitHeads(Linear(attention.value, tokens));
        var scores = Graph.Mul(Graph.MatMul(q, Transpose(k, 0, 1, 3, 2)), Graph.Constant((float)(1 / Math.Sqrt(d))));
        var weights = Graph.Node("Softmax", [scores], OnnxAttribute.Int("axis", -1));
        // [N, heads, HW, d] -> [N, HW, C]
        var merged = Graph.Reshape(Transpose(Graph.MatMul(weights, v), 0, 2, 1, 3), 0, 0, c);
        // [N, HW, C] -> [N, C, H, W]
        var projected = Graph.Reshape(Transpose(Linear(attention.proj_out, merged), 0, 2, 1), Graph.Shape(x));
        return Graph.Add(x, projected);
    }
}
