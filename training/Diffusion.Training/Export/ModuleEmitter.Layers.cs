using Diffusion.Onnx.Graphs;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Export;

// The basic layers: each maps to one or two ONNX operators.
internal sealed partial class ModuleEmitter
{
    /// <summary>y = x Wᵀ + b over the last axis of any rank (MatMul broadcasts; ONNX Runtime folds the weight's Transpose).</summary>
    public string Linear(Linear linear, string x)
    {
        var y = Graph.MatMul(x, Transpose(Weight(linear.weight), 1, 0));
        return linear.bias is null ? y : Graph.Add(y, Weight(linear.bias));
    }

    /// <summary>A square-kernel 2-D convolution with symmetric zero padding.</summary>
    public string Conv2d(Conv2d conv, string x)
    {
        long k = conv.weight.shape[2];
        string[] inputs = conv.bias is null ? [x, Weight(conv.weight)] : [x, Weight(conv.weight), Weight(conv.bias)];
        return Graph.Node("Conv", inputs,
            OnnxAttribute.Ints("kernel_shape", k, k),
            OnnxAttribute.Ints("strides", conv.Stride, conv.Stride),
            OnnxAttribute.Ints("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding));
    }

    /// <summary>Rows of the table at int64 indices <paramref name="indices"/>.</summary>
    public string Embedding(Embedding embedding, string indices) => Graph.Gather(Weight(embedding.weight), indices);

    /// <summary>SiLU(x) = x·σ(x) (opset 17 has no Swish operator).</summary>
    public string SiLU(string x) => Graph.Mul(x, Graph.Node("Sigmoid", [x]));
}
