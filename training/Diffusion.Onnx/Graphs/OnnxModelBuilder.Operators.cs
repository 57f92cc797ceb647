namespace Diffusion.Onnx.Graphs;

// One-line helpers for the common operators; anything else goes through Node(...).
// Binary element-wise operators broadcast numpy-style.
public sealed partial class OnnxModelBuilder
{
    /// <summary><c>a + b</c>.</summary>
    public string Add(string a, string b) => Node("Add", [a, b]);

    /// <summary><c>a - b</c>.</summary>
    public string Sub(string a, string b) => Node("Sub", [a, b]);

    /// <summary><c>a * b</c>.</summary>
    public string Mul(string a, string b) => Node("Mul", [a, b]);

    /// <summary><c>a / b</c>.</summary>
    public string Div(string a, string b) => Node("Div", [a, b]);

    /// <summary>Element-wise minimum.</summary>
    public string Min(string a, string b) => Node("Min", [a, b]);

    /// <summary>Element-wise maximum.</summary>
    public string Max(string a, string b) => Node("Max", [a, b]);

    /// <summary><c>-x</c>.</summary>
    public string Neg(string x) => Node("Neg", [x]);

    /// <summary><c>exp(x)</c>.</summary>
    public string Exp(string x) => Node("Exp", [x]);

    /// <summary>Natural logarithm.</summary>
    public string Log(string x) => Node("Log", [x]);

    /// <summary>Square root.</summary>
    public string Sqrt(string x) => Node("Sqrt", [x]);

    /// <summary><c>1 / x</c>.</summary>
    public string Reciprocal(string x) => Node("Reciprocal", [x]);

    /// <summary>Rounds down to an integer value (same element type).</summary>
    public string Floor(string x) => Node("Floor", [x]);

    /// <summary><c>a == b</c> (bool).</summary>
    public string Equal(string a, string b) => Node("Equal", [a, b]);

    /// <summary><c>a &lt; b</c> (bool).</summary>
    public string Less(string a, string b) => Node("Less", [a, b]);

    /// <summary>Picks <paramref name="whenTrue"/> where <paramref name="condition"/> holds, else <paramref name="whenFalse"/>.</summary>
    public string Where(string condition, string whenTrue, string whenFalse) => Node("Where", [condition, whenTrue, whenFalse]);

    /// <summary>Clamps <paramref name="x"/> to [<paramref name="min"/>, <paramref name="max"/>] (scalar tensors of x's type).</summary>
    public string Clip(string x, string min, string max) => Node("Clip", [x, min, max]);

    /// <summary>Converts <paramref name="x"/> to <paramref name="type"/>.</summary>
    public string Cast(string x, ElementType type) => Node("Cast", [x], OnnxAttribute.Int("to", (long)type.ToProto()));

    /// <summary>Matrix product with numpy-style batch broadcasting.</summary>
    public string MatMul(string a, string b) => Node("MatMul", [a, b]);

    /// <summary>Picks slices of <paramref name="data"/> along <paramref name="axis"/> at int64 <paramref name="indices"/>.</summary>
    public string Gather(string data, string indices, long axis = 0) => Node("Gather", [data, indices], OnnxAttribute.Int("axis", axis));

    /// <summary>Reshapes to <paramref name="shape"/>, where 0 copies the input's dimension and -1 is inferred.</summary>
    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Constant(shape)]);

    /// <summary>Reshapes to the shape held by the int64 tensor <paramref name="shape"/>.</summary>
    public string Reshape(string x, string shape) => Node("Reshape", [x, shape]);

    /// <summary>The shape of <paramref name="x"/> as a 1-D int64 tensor.</summary>
    public string Shape(string x) => Node("Shape", [x]);

    /// <summary>Sum over <paramref name="axes"/>, keeping them as size-1 dimensions when <paramref name="keepDims"/>.</summary>
    public string ReduceSum(string x, long[] axes, bool keepDims = true) => Reduce("ReduceSum", x, axes, keepDims, axesAsInputSince: 13);

    /// <summary>Maximum over <paramref name="axes"/>, keeping them as size-1 dimensions when <paramref name="keepDims"/>.</summary>
    public string ReduceMax(string x, long[] axes, bool keepDims = true) => Reduce("ReduceMax", x, axes, keepDims, axesAsInputSince: 18);

    // The reductions moved `axes` from an attribute to an input: ReduceSum at opset 13, the others at 18.
    private string Reduce(string opType, string x, long[] axes, bool keepDims, int axesAsInputSince)
    {
        var keep = OnnxAttribute.Int("keepdims", keepDims ? 1 : 0);
        return OpsetVersion >= axesAsInputSince
            ? Node(opType, [x, Constant(axes)], keep)
            : Node(opType, [x], OnnxAttribute.Ints("axes", axes), keep);
    }
}
