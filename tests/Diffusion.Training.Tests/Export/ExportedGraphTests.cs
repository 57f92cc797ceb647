using System.Runtime.InteropServices;
using Diffusion.Torch;
using Diffusion.Training.Export;
using Diffusion.Training.Tests.Export.Support;
using Onnx;

namespace Diffusion.Training.Tests.Export;

public class ExportedGraphTests
{
    /// <summary>The exported model of test network <paramref name="name"/>, with the network it came from.</summary>
    private static (ModelProto Model, Diffusion.Torch.Modules.Module Network) Export(string name)
    {
        using var generator = new Generator(3);
        var network = TestNetworks.Create(name, generator);
        return (OnnxExporter.ToModel(network, TestNetworks.Ddpm), network);
    }

    [Theory]
    [MemberData(nameof(TestNetworks.All), MemberType = typeof(TestNetworks))]
    public void TheModelImportsOpset17OnlyAndHasNoGroupNormalizationNode(string name)
    {
        var (model, network) = Export(name);
        using var _ = network;
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.All(model.Graph.Node, node => Assert.Equal("", node.Domain));
        Assert.DoesNotContain(model.Graph.Node, node => node.OpType == "GroupNormalization");
        string[] opset17Operators =
        [
            "Add", "Mul", "MatMul", "Transpose", "Reshape", "Shape", "Unsqueeze", "Concat", "Conv", "Sigmoid",
            "InstanceNormalization", "Softmax", "Resize", "Gather", "Sin", "Cos", "Identity",
        ];
        Assert.All(model.Graph.Node, node => Assert.Contains(node.OpType, opset17Operators));
    }

    [Theory]
    [MemberData(nameof(TestNetworks.All), MemberType = typeof(TestNetworks))]
    public void InputsAndOutputFollowTheModelContractWithADynamicBatch(string name)
    {
        var (model, network) = Export(name);
        using var _ = network;
        var (shape, classes) = TestNetworks.Signature(network);
        string[] expectedInputs = classes == 0 ? ["sample", "timestep"] : ["sample", "timestep", "class_labels"];
        Assert.Equal(expectedInputs, model.Graph.Input.Select(i => i.Name));

        var sampleDims = Dims(model.Graph.Input[0]);
        // A UNet is fully convolutional: any height and width (DynamicSizeExportTests); an MLP has its fixed shape.
        string[] expected = network is Networks.UNet
            ? ["batch", shape[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "height", "width"]
            : ["batch", .. shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(expected, sampleDims);
        Assert.Equal((int)TensorProto.Types.DataType.Float, model.Graph.Input[0].Type.TensorType.ElemType);
        Assert.Equal(["batch"], Dims(model.Graph.Input[1]));
        Assert.Equal((int)TensorProto.Types.DataType.Float, model.Graph.Input[1].Type.TensorType.ElemType);
        if (classes > 0)
        {
            Assert.Equal(["batch"], Dims(model.Graph.Input[2]));
            Assert.Equal((int)TensorProto.Types.DataType.Int64, model.Graph.Input[2].Type.TensorType.ElemType);
        }
        var output = Assert.Single(model.Graph.Output);
        Assert.Equal("out_sample", output.Name);
        Assert.Equal(sampleDims, Dims(output));
    }

    [Theory]
    [MemberData(nameof(TestNetworks.All), MemberType = typeof(TestNetworks))]
    public void EveryParameterAndBufferIsAnInitializerWithItsNameShapeAndValuesAndNoneIsAGraphInput(string name)
    {
        var (model, network) = Export(name);
        using var _ = network;
        var initializers = model.Graph.Initializer.ToDictionary(i => i.Name);
        var tensors = network.named_parameters().Select(p => (p.name, tensor: (Tensor)p.parameter)).Concat(network.named_buffers()).ToList();
        Assert.NotEmpty(tensors);
        foreach (var (tensorName, tensor) in tensors)
        {
            Assert.True(initializers.TryGetValue(tensorName, out var initializer), $"no initializer named {tensorName}");
            Assert.Equal(tensor.shape, initializer.Dims);
            Assert.Equal(tensor.ToArray<float>(), MemoryMarshal.Cast<byte, float>(initializer.RawData.Span).ToArray());
        }
        Assert.DoesNotContain(model.Graph.Input, input => initializers.ContainsKey(input.Name));
    }

    [Fact]
    public void ExportingTheSameNetworkTwiceGivesIdenticalBytes()
    {
        using var generator = new Generator(5);
        using var network = TestNetworks.Create("tiny-unet", generator);
        using var folder = new TempFolder();
        OnnxExporter.Export(network, TestNetworks.Ddpm, folder.File("a.onnx"));
        OnnxExporter.Export(network, TestNetworks.Ddpm, folder.File("b.onnx"));
        Assert.Equal(File.ReadAllBytes(folder.File("a.onnx")), File.ReadAllBytes(folder.File("b.onnx")));
    }

    private static string[] Dims(ValueInfoProto value) =>
        value.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
