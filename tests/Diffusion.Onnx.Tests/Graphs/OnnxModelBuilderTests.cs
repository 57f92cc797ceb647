using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Tests.Support;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Diffusion.Onnx.Tests.Graphs;

public sealed class OnnxModelBuilderTests
{
    // y = x W + b over a symbolic batch: W = [[1, 2, 3], [4, 5, 6]], b = [0.5, -1, 2].
    private static OnnxModelBuilder Affine()
    {
        var g = new OnnxModelBuilder("affine");
        var x = g.Input("x", ElementType.Float32, "batch", 2);
        var w = g.Initializer("weight", [1f, 2, 3, 4, 5, 6], [2, 3]);
        var b = g.Initializer("bias", [0.5f, -1, 2]);
        g.Output(g.Add(g.MatMul(x, w), b), "y", ElementType.Float32, "batch", 3);
        return g;
    }

    [Fact]
    public void AffineGraphComputesInOnnxRuntime()
    {
        var y = OrtRunner.Run(Affine().Build(), new OrtRunner.Input("x", ElementType.Float32, [1, -1, 2, 0.5], [2, 2]));

        // [1, -1] W + b = [-3, -3, -3] + b; [2, 0.5] W + b = [4, 6.5, 9] + b.
        Assert.Equal([-2.5, -4, -1, 4.5, 5.5, 11], y);
    }

    [Fact]
    public void ModelDeclaresIrVersionOpsetAndProducer()
    {
        var model = Affine().Build();

        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal("Diffusion.Onnx", model.ProducerName);
        Assert.False(model.HasProducerVersion, "no version by default, so builds are reproducible");
    }

    [Fact]
    public void ShapesKeepSymbolicAndFixedDimensions()
    {
        var model = Affine().Build();

        var dims = model.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal(2, dims[1].DimValue);
        Assert.Equal((int)TensorProto.Types.DataType.Float, model.Graph.Output.Single().Type.TensorType.ElemType);
    }

    [Fact]
    public void ScalarInputHasRankZero()
    {
        var g = new OnnxModelBuilder();
        var t = g.Input("t", ElementType.Int64);
        g.Output(g.Add(t, g.Constant(1L)), "u", ElementType.Int64);

        var model = g.Build();
        Assert.Empty(model.Graph.Input.Single().Type.TensorType.Shape.Dim);
        Assert.Equal([42.0], OrtRunner.Run(model, new OrtRunner.Input("t", ElementType.Int64, [41], [])));
    }

    [Fact]
    public void AutomaticNamesAreUnique()
    {
        var g = new OnnxModelBuilder();
        var x = g.Input("x", ElementType.Float32, 2);
        var a = g.Exp(x);
        var b = g.Exp(x);
        g.Output(g.Add(a, b), ElementType.Float32, 2);

        var model = g.Build();
        var valueNames = model.Graph.Node.SelectMany(n => n.Output).ToList();
        var nodeNames = model.Graph.Node.Select(n => n.Name).ToList();
        Assert.NotEqual(a, b);
        Assert.Equal(valueNames.Count, valueNames.Distinct().Count());
        Assert.Equal(nodeNames.Count, nodeNames.Distinct().Count());
    }

    [Fact]
    public void EqualConstantsShareOneInitializer()
    {
        var g = new OnnxModelBuilder();
        var x = g.Input("x", ElementType.Float32, 2);
        var one = g.Constant(1f);
        Assert.Equal(one, g.Constant(1f));
        Assert.NotEqual(one, g.Constant(2f));
        g.Output(g.Add(x, one), ElementType.Float32, 2);

        Assert.Equal(2, g.Build().Graph.Initializer.Count);
    }

    [Fact]
    public void NodeWithNamedOutputsAndAttributesRuns()
    {
        var g = new OnnxModelBuilder();
        var x = g.Input("x", ElementType.Float32, 4);
        var halves = g.Node("Split", [x, g.Constant([2L, 2L])], ["low", "high"], OnnxAttribute.Int("axis", 0));
        g.Output(g.Sub(halves[1], halves[0]), "difference", ElementType.Float32, 2);

        Assert.Equal(["low", "high"], halves);
        Assert.Equal([2.0, 2.0], OrtRunner.Run(g.Build(), new OrtRunner.Input("x", ElementType.Float32, [1, 2, 3, 4], [4])));
    }

    [Fact]
    public void Int64InitializerIndexesWithGather()
    {
        var g = new OnnxModelBuilder();
        var i = g.Input("i", ElementType.Int64, "n");
        var table = g.Initializer("table", [10f, 20, 30]);
        g.Output(g.Gather(table, g.Gather(g.Initializer("permutation", [2L, 0, 1]), i)), "y", ElementType.Float32, "n");

        Assert.Equal([30.0, 10.0], OrtRunner.Run(g.Build(), new OrtRunner.Input("i", ElementType.Int64, [0, 1], [2])));
    }

    [Theory]
    [InlineData(17)]
    [InlineData(18)]
    public void ReductionsWorkBeforeAndAfterAxesBecameInputs(int opset)
    {
        var g = new OnnxModelBuilder { OpsetVersion = opset };
        var x = g.Input("x", ElementType.Float32, 2, 3);
        g.Output(g.Add(g.ReduceMax(x, [1], keepDims: false), g.ReduceSum(x, [1], keepDims: false)), "y", ElementType.Float32, 2);

        var model = g.Build();
        var reduceMax = model.Graph.Node.Single(n => n.OpType == "ReduceMax");
        Assert.Equal(opset >= 18 ? 2 : 1, reduceMax.Input.Count);
        Assert.Equal([3.0 + 6, 3.0 + 0], OrtRunner.Run(model, new OrtRunner.Input("x", ElementType.Float32, [1, 2, 3, -1, -2, 3], [2, 3])));
    }

    [Fact]
    public void MetadataIsWrittenInKeyOrder()
    {
        var g = Affine();
        g.Metadata["zeta"] = "last";
        g.Metadata["alpha"] = "first";

        Assert.Equal(["alpha", "zeta"], g.Build().MetadataProps.Select(p => p.Key));
    }

    [Fact]
    public void BuildingTwiceGivesIdenticalBytes()
    {
        Assert.Equal(Affine().ToByteArray(), Affine().ToByteArray());
    }

    [Fact]
    public void UsingAnUndefinedValueNamesIt()
    {
        var g = new OnnxModelBuilder();
        var error = Assert.Throws<ArgumentException>(() => g.Exp("missing"));
        Assert.Contains("'missing'", error.Message);
        Assert.Contains("create it first", error.Message);
    }

    [Fact]
    public void RefusedNodeLeavesItsOutputNamesFree()
    {
        var g = new OnnxModelBuilder();
        var x = g.Input("x", ElementType.Float32, 1);
        Assert.Throws<ArgumentException>(() => g.Node("Add", [x, "missing"], ["sum"]));

        g.Node("Add", [x, x], ["sum"]);
        g.Output("sum", ElementType.Float32, 1);
        Assert.Equal([4.0], OrtRunner.Run(g.Build(), new OrtRunner.Input("x", ElementType.Float32, [2], [1])));
    }

    [Fact]
    public void ReusingANameIsRefused()
    {
        var g = new OnnxModelBuilder();
        g.Input("x", ElementType.Float32, 1);
        var error = Assert.Throws<ArgumentException>(() => g.Initializer("x", [1f]));
        Assert.Contains("'x'", error.Message);
        Assert.Contains("already used", error.Message);
    }

    [Fact]
    public void InitializerWithWrongShapeIsRefused()
    {
        var g = new OnnxModelBuilder();
        var error = Assert.Throws<ArgumentException>(() => g.Initializer("w", [1f, 2, 3], [2, 2]));
        Assert.Contains("3 values but shape [2, 2] holds 4", error.Message);
    }

    [Fact]
    public void ModelWithoutOutputsIsRefused()
    {
        var g = new OnnxModelBuilder();
        g.Input("x", ElementType.Float32, 1);
        var error = Assert.Throws<InvalidOperationException>(() => g.Build());
        Assert.Contains("Output(", error.Message);
    }

    [Fact]
    public void Float16InitializerRoundTrips()
    {
        var g = new OnnxModelBuilder();
        var x = g.Input("x", ElementType.Float16, 2);
        g.Output(g.Mul(x, g.Initializer("scale", [(Half)0.5, (Half)4])), "y", ElementType.Float16, 2);

        Assert.Equal([1.5, -8.0], OrtRunner.Run(g.Build(), new OrtRunner.Input("x", ElementType.Float16, [3, -2], [2])));
    }

    [Fact]
    public void SessionSeesDeclaredSymbolicBatch()
    {
        using var session = new InferenceSession(Affine().ToByteArray());
        Assert.Equal(["batch", ""], session.InputMetadata["x"].SymbolicDimensions);
        Assert.Equal([-1, 2], session.InputMetadata["x"].Dimensions);
    }
}
