using Diffusion.Torch.Native;

namespace Diffusion.Torch;

public static partial class torch
{
    /// <summary>32-bit float, the default element type.</summary>
    public const ScalarType float32 = ScalarType.Float32;
    /// <summary>64-bit float.</summary>
    public const ScalarType float64 = ScalarType.Float64;
    /// <summary>64-bit integer.</summary>
    public const ScalarType int64 = ScalarType.Int64;

    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* p = shape) return Tensor.From(NativeMethods.dt_zeros(p, shape.Length, (int)dtype, out var r), r);
    }

    /// <summary>A float32 tensor of zeros.</summary>
    public static Tensor zeros(params long[] shape) => zeros(shape.AsSpan());

    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* p = shape) return Tensor.From(NativeMethods.dt_ones(p, shape.Length, (int)dtype, out var r), r);
    }

    /// <summary>A float32 tensor of ones.</summary>
    public static Tensor ones(params long[] shape) => ones(shape.AsSpan());

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(ReadOnlySpan<long> shape, double value, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* p = shape) return Tensor.From(NativeMethods.dt_full(p, shape.Length, value, (int)dtype, out var r), r);
    }

    /// <summary>Samples of the standard normal distribution.</summary>
    public static unsafe Tensor randn(ReadOnlySpan<long> shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* p = shape) return Tensor.From(NativeMethods.dt_randn(p, shape.Length, (int)dtype, Generator.HandleOf(generator), out var r), r);
    }

    /// <summary>Float32 samples of the standard normal distribution from the global generator.</summary>
    public static Tensor randn(params long[] shape) => randn(shape.AsSpan());

    /// <summary>
    /// <paramref name="count"/> float32 standard normal samples from ATen's portable CPU kernel, whichever kernel
    /// <see cref="randn(ReadOnlySpan{long}, Generator?, ScalarType)"/> would pick on this CPU: a machine-independent reference for tests.
    /// </summary>
    internal static Tensor randn_portable(long count, Generator? generator = null) =>
        Tensor.From(NativeMethods.dt_randn_portable(count, Generator.HandleOf(generator), out var r), r);

    /// <summary>Samples of the uniform distribution on [0, 1).</summary>
    public static unsafe Tensor rand(ReadOnlySpan<long> shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* p = shape) return Tensor.From(NativeMethods.dt_rand(p, shape.Length, (int)dtype, Generator.HandleOf(generator), out var r), r);
    }

    /// <summary>Float32 samples of the uniform distribution on [0, 1) from the global generator.</summary>
    public static Tensor rand(params long[] shape) => rand(shape.AsSpan());

    /// <summary>Uniform int64 samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static unsafe Tensor randint(long low, long high, ReadOnlySpan<long> shape, Generator? generator = null)
    {
        if (high <= low) throw new ArgumentException($"randint needs low < high, got [{low}, {high})", nameof(high));
        fixed (long* p = shape) return Tensor.From(NativeMethods.dt_randint(low, high, p, shape.Length, Generator.HandleOf(generator), out var r), r);
    }

    /// <summary>Values low, low + step, ... below <paramref name="end"/>.</summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Float32) =>
        Tensor.From(NativeMethods.dt_arange(start, end, step, (int)dtype, out var r), r);

    /// <summary>0, 1, ..., <paramref name="end"/> - 1.</summary>
    public static Tensor arange(long end, ScalarType dtype = ScalarType.Float32) => arange(0, end, 1, dtype);

    /// <summary>A float32 tensor copied from <paramref name="data"/>; a 1-D tensor when no shape is given.</summary>
    public static Tensor tensor(float[] data, params long[] shape) => FromData<float>(data, shape.Length == 0 ? [data.Length] : shape);

    /// <summary>A float64 tensor copied from <paramref name="data"/>; a 1-D tensor when no shape is given.</summary>
    public static Tensor tensor(double[] data, params long[] shape) => FromData<double>(data, shape.Length == 0 ? [data.Length] : shape);

    /// <summary>An int64 tensor copied from <paramref name="data"/>; a 1-D tensor when no shape is given.</summary>
    public static Tensor tensor(long[] data, params long[] shape) => FromData<long>(data, shape.Length == 0 ? [data.Length] : shape);

    /// <summary>A 0-dimensional float32 tensor.</summary>
    public static Tensor tensor(float value) => FromData<float>([value], []);

    /// <summary>A tensor of element type <typeparamref name="T"/> copied from <paramref name="data"/> with the given shape
    /// (an empty shape is a 0-dimensional tensor of one element).</summary>
    public static unsafe Tensor FromData<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        var type = ScalarTypes.Of<T>();
        fixed (T* d = data)
        fixed (long* s = shape)
        {
            return Tensor.From(NativeMethods.dt_from_data(d, data.Length, (int)type, s, shape.Length, out var r), r);
        }
    }

    /// <summary>Concatenates along an existing dimension.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Joined(tensors, dim, stack: false);

    /// <summary>Stacks along a new dimension.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Joined(tensors, dim, stack: true);

    private static unsafe Tensor Joined(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("cannot join an empty list of tensors", nameof(tensors));
        var handles = new TensorHandle[tensors.Count];
        var raw = new IntPtr[tensors.Count];
        int added = 0;
        try
        {
            // Hold a reference on every handle for the duration of the call, as the marshaller does for single arguments.
            for (; added < handles.Length; added++)
            {
                handles[added] = (tensors[added] ?? throw new ArgumentNullException(nameof(tensors), $"tensor {added} of the list is null")).Handle;
                bool ok = false;
                handles[added].DangerousAddRef(ref ok);
                raw[added] = handles[added].DangerousGetHandle();
            }
            fixed (IntPtr* p = raw)
            {
                int status = stack
                    ? NativeMethods.dt_stack(p, raw.Length, dim, out var r)
                    : NativeMethods.dt_cat(p, raw.Length, dim, out r);
                return Tensor.From(status, r);
            }
        }
        finally
        {
            for (int i = 0; i < added; i++) handles[i].DangerousRelease();
        }
    }

    /// <summary>Matrix product (see <see cref="Tensor.matmul"/>).</summary>
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    /// <summary>e^x.</summary>
    public static Tensor exp(Tensor x) => x.exp();
    /// <summary>Natural logarithm.</summary>
    public static Tensor log(Tensor x) => x.log();
    /// <summary>Square root.</summary>
    public static Tensor sqrt(Tensor x) => x.sqrt();
    /// <summary>Sine.</summary>
    public static Tensor sin(Tensor x) => x.sin();
    /// <summary>Cosine.</summary>
    public static Tensor cos(Tensor x) => x.cos();
    /// <summary>x^exponent.</summary>
    public static Tensor pow(Tensor x, double exponent) => x.pow(exponent);
    /// <summary>Logistic sigmoid.</summary>
    public static Tensor sigmoid(Tensor x) => x.sigmoid();
    /// <summary>Limits every element to [min, max].</summary>
    public static Tensor clamp(Tensor x, double? min = null, double? max = null) => x.clamp(min, max);
}
