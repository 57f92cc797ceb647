using Diffusion.Torch.Native;

namespace Diffusion.Torch;

/// <summary>
/// A libtorch tensor. Owns one native handle, released by <see cref="Dispose"/> or by the
/// <see cref="DisposeScope"/> that was active when the tensor was created. Never released by the
/// finalizer: an undisposed tensor is a leak (see <c>torch.LeakedTensorCount</c>).
/// </summary>
public partial class Tensor : IDisposable
{
    private readonly TensorHandle handle;
    private DisposeScope? scope;

    /// <summary>Wraps a handle returned by the shim and registers it with the current dispose scope.</summary>
    internal Tensor(IntPtr raw, bool joinScope = true)
    {
        if (raw == IntPtr.Zero) throw new TorchException("libtorch returned an undefined tensor where a tensor was expected");
        handle = new TensorHandle(raw);
        if (joinScope)
        {
            scope = DisposeScope.Current;
            scope?.Add(this);
        }
    }

    /// <summary>Checks a shim status and wraps the tensor it returned.</summary>
    internal static Tensor From(int status, IntPtr raw)
    {
        Status.Check(status);
        return new Tensor(raw);
    }

    /// <summary>Checks a shim status and wraps a tensor that may legitimately be undefined (null).</summary>
    internal static Tensor? FromOptional(int status, IntPtr raw)
    {
        Status.Check(status);
        return raw == IntPtr.Zero ? null : new Tensor(raw);
    }

    /// <summary>The native handle; throws if the tensor was disposed.</summary>
    internal TensorHandle Handle => handle.IsClosed
        ? throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed (by Dispose or by the DisposeScope it was created in); call MoveToOuterDisposeScope() or DetachFromDisposeScope() to keep it")
        : handle;

    /// <summary>The handle of an optional argument (a missing tensor is passed as "undefined").</summary>
    internal static TensorHandle HandleOf(Tensor? tensor) => tensor is null ? TensorHandle.Null : tensor.Handle;

    /// <summary>True once the native tensor has been released.</summary>
    public bool IsDisposed => handle.IsClosed;

    /// <summary>The dimensions, outermost first.</summary>
    public unsafe long[] shape
    {
        get
        {
            var h = Handle;
            Status.Check(NativeMethods.dt_dim(h, out long dim));
            var sizes = new long[dim];
            fixed (long* p = sizes) Status.Check(NativeMethods.dt_sizes(h, p, sizes.Length));
            return sizes;
        }
    }

    /// <summary>The number of dimensions.</summary>
    public long dim()
    {
        Status.Check(NativeMethods.dt_dim(Handle, out long dim));
        return dim;
    }

    /// <summary>The size of dimension <paramref name="dimension"/> (negative counts from the end).</summary>
    public long size(int dimension)
    {
        var sizes = shape;
        int index = dimension < 0 ? dimension + sizes.Length : dimension;
        if ((uint)index >= (uint)sizes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), $"dimension {dimension} is out of range for a tensor with {sizes.Length} dimensions");
        }
        return sizes[index];
    }

    /// <summary>The number of elements.</summary>
    public long numel()
    {
        Status.Check(NativeMethods.dt_numel(Handle, out long count));
        return count;
    }

    /// <summary>The element type.</summary>
    public ScalarType dtype
    {
        get
        {
            Status.Check(NativeMethods.dt_dtype(Handle, out int code));
            return (ScalarType)code;
        }
    }

    /// <summary>The value of a one-element tensor, converted to <typeparamref name="T"/> (float, double, long or int).</summary>
    public T item<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(long) || typeof(T) == typeof(int))
        {
            Status.Check(NativeMethods.dt_item_long(Handle, out long integer));
            return typeof(T) == typeof(int) ? (T)(object)checked((int)integer) : (T)(object)integer;
        }
        Status.Check(NativeMethods.dt_item_double(Handle, out double value));
        return typeof(T) == typeof(float) ? (T)(object)(float)value
            : typeof(T) == typeof(double) ? (T)(object)value
            : throw new NotSupportedException($"item<{typeof(T).Name}> is not supported: use float, double, long or int");
    }

    /// <summary>Copies the elements (row-major, converted to <typeparamref name="T"/>) into a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[numel()];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements (row-major, converted to <typeparamref name="T"/>) into <paramref name="destination"/>,
    /// whose length must equal <see cref="numel"/>.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var type = ScalarTypes.Of<T>();
        fixed (T* p = destination) Status.Check(NativeMethods.dt_copy_to(Handle, p, destination.Length, (int)type));
    }

    /// <summary>Converts to another element type (a new tensor).</summary>
    public Tensor to(ScalarType type) => From(NativeMethods.dt_to_dtype(Handle, (int)type, out var r), r);

    /// <summary>Removes this tensor from its dispose scope and hands it to the enclosing one (or to the caller when
    /// there is none). Returns this tensor.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        var from = scope;
        if (from is null) return this;
        from.Remove(this);
        scope = from.Outer;
        scope?.Add(this);
        return this;
    }

    /// <summary>Removes this tensor from every dispose scope: the caller now disposes it. Returns this tensor.</summary>
    public Tensor DetachFromDisposeScope()
    {
        scope?.Remove(this);
        scope = null;
        return this;
    }

    internal void DisposeFromScope()
    {
        scope = null;
        handle.Dispose();
    }

    /// <summary>Releases the native tensor now (idempotent).</summary>
    public void Dispose()
    {
        handle.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor([{string.Join(", ", shape)}], {dtype})";
}
