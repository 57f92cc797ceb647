using Diffusion.Torch.Native;

namespace Diffusion.Torch;

public partial class Tensor
{
    private Tensor Unary(UnaryOp op) => From(NativeMethods.dt_unary((int)op, Handle, out var r), r);

    private Tensor Binary(BinaryOp op, Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return From(NativeMethods.dt_binary((int)op, Handle, other.Handle, out var r), r);
    }

    private Tensor Scalar(ScalarOp op, double s) => From(NativeMethods.dt_scalar((int)op, Handle, s, out var r), r);

    /// <summary>Elementwise sum (broadcasting).</summary>
    public Tensor add(Tensor other) => Binary(BinaryOp.Add, other);
    /// <summary>Adds a scalar to every element.</summary>
    public Tensor add(double value) => Scalar(ScalarOp.Add, value);
    /// <summary>Elementwise difference (broadcasting).</summary>
    public Tensor sub(Tensor other) => Binary(BinaryOp.Sub, other);
    /// <summary>Subtracts a scalar from every element.</summary>
    public Tensor sub(double value) => Scalar(ScalarOp.Sub, value);
    /// <summary>Elementwise product (broadcasting).</summary>
    public Tensor mul(Tensor other) => Binary(BinaryOp.Mul, other);
    /// <summary>Multiplies every element by a scalar.</summary>
    public Tensor mul(double value) => Scalar(ScalarOp.Mul, value);
    /// <summary>Elementwise quotient (broadcasting).</summary>
    public Tensor div(Tensor other) => Binary(BinaryOp.Div, other);
    /// <summary>Divides every element by a scalar.</summary>
    public Tensor div(double value) => Scalar(ScalarOp.Div, value);
    /// <summary>Elementwise power with tensor exponents.</summary>
    public Tensor pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
    /// <summary>Raises every element to a scalar power.</summary>
    public Tensor pow(double exponent) => Scalar(ScalarOp.Pow, exponent);
    /// <summary>Elementwise maximum of two tensors.</summary>
    public Tensor maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
    /// <summary>Elementwise minimum of two tensors.</summary>
    public Tensor minimum(Tensor other) => Binary(BinaryOp.Minimum, other);

    /// <summary>-x.</summary>
    public Tensor neg() => Unary(UnaryOp.Neg);
    /// <summary>e^x.</summary>
    public Tensor exp() => Unary(UnaryOp.Exp);
    /// <summary>Natural logarithm.</summary>
    public Tensor log() => Unary(UnaryOp.Log);
    /// <summary>Square root.</summary>
    public Tensor sqrt() => Unary(UnaryOp.Sqrt);
    /// <summary>1 / sqrt(x).</summary>
    public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
    /// <summary>Sine.</summary>
    public Tensor sin() => Unary(UnaryOp.Sin);
    /// <summary>Cosine.</summary>
    public Tensor cos() => Unary(UnaryOp.Cos);
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor tanh() => Unary(UnaryOp.Tanh);
    /// <summary>Logistic sigmoid 1 / (1 + e^-x).</summary>
    public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
    /// <summary>max(x, 0).</summary>
    public Tensor relu() => Unary(UnaryOp.Relu);
    /// <summary>|x|.</summary>
    public Tensor abs() => Unary(UnaryOp.Abs);
    /// <summary>x².</summary>
    public Tensor square() => Unary(UnaryOp.Square);
    /// <summary>SiLU (swish) x * sigmoid(x).</summary>
    public Tensor silu() => Unary(UnaryOp.Silu);

    /// <summary>Limits every element to [<paramref name="min"/>, <paramref name="max"/>]; a null bound is open.</summary>
    public Tensor clamp(double? min = null, double? max = null) =>
        From(NativeMethods.dt_clamp(Handle, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0, out var r), r);

    private unsafe Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool keepdim)
    {
        fixed (long* p = dims) return From(NativeMethods.dt_reduce((int)op, Handle, p, dims.Length, keepdim ? 1 : 0, out var r), r);
    }

    /// <summary>Sum of all elements (a 0-dimensional tensor).</summary>
    public Tensor sum() => Reduce(ReduceOp.Sum, default, false);
    /// <summary>Sum over <paramref name="dims"/>.</summary>
    public Tensor sum(ReadOnlySpan<long> dims, bool keepdim = false) => Reduce(ReduceOp.Sum, RequireDims(dims), keepdim);
    /// <summary>Sum over one dimension.</summary>
    public Tensor sum(long dim, bool keepdim = false) => Reduce(ReduceOp.Sum, [dim], keepdim);
    /// <summary>Mean of all elements.</summary>
    public Tensor mean() => Reduce(ReduceOp.Mean, default, false);
    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public Tensor mean(ReadOnlySpan<long> dims, bool keepdim = false) => Reduce(ReduceOp.Mean, RequireDims(dims), keepdim);
    /// <summary>Mean over one dimension.</summary>
    public Tensor mean(long dim, bool keepdim = false) => Reduce(ReduceOp.Mean, [dim], keepdim);
    /// <summary>Maximum over <paramref name="dims"/> (all dimensions when empty).</summary>
    public Tensor amax(ReadOnlySpan<long> dims = default, bool keepdim = false) => Reduce(ReduceOp.AMax, dims, keepdim);
    /// <summary>Minimum over <paramref name="dims"/> (all dimensions when empty).</summary>
    public Tensor amin(ReadOnlySpan<long> dims = default, bool keepdim = false) => Reduce(ReduceOp.AMin, dims, keepdim);
    /// <summary>Euclidean (L2) norm of all elements.</summary>
    public Tensor norm() => Reduce(ReduceOp.Norm2, default, false);
    /// <summary>Euclidean (L2) norm over <paramref name="dims"/>.</summary>
    public Tensor norm(ReadOnlySpan<long> dims, bool keepdim = false) => Reduce(ReduceOp.Norm2, RequireDims(dims), keepdim);

    private static ReadOnlySpan<long> RequireDims(ReadOnlySpan<long> dims) => dims.IsEmpty
        ? throw new ArgumentException("the list of dimensions to reduce is empty: call the overload without dimensions to reduce over all of them", nameof(dims))
        : dims;

    /// <summary>Matrix product with numpy-style broadcasting of batch dimensions.</summary>
    public Tensor matmul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return From(NativeMethods.dt_matmul(Handle, other.Handle, out var r), r);
    }

    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public Tensor softmax(long dim) => From(NativeMethods.dt_softmax(Handle, dim, out var r), r);

    /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
    public Tensor log_softmax(long dim) => From(NativeMethods.dt_log_softmax(Handle, dim, out var r), r);
}
