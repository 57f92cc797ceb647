using Diffusion.Torch.Native;

namespace Diffusion.Torch;

public partial class Tensor
{
    /// <summary>Same data with a new shape (copies when the layout requires it); one entry may be -1.</summary>
    public unsafe Tensor reshape(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape) return From(NativeMethods.dt_reshape(Handle, p, shape.Length, out var r), r);
    }

    /// <summary>Same data with a new shape, never copying (fails on a non-contiguous layout).</summary>
    public unsafe Tensor view(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape) return From(NativeMethods.dt_view(Handle, p, shape.Length, out var r), r);
    }

    /// <summary>Broadcasts size-1 dimensions to <paramref name="shape"/> without copying (-1 keeps a size).</summary>
    public unsafe Tensor expand(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape) return From(NativeMethods.dt_expand(Handle, p, shape.Length, out var r), r);
    }

    /// <summary>Reorders the dimensions.</summary>
    public unsafe Tensor permute(params ReadOnlySpan<long> dims)
    {
        fixed (long* p = dims) return From(NativeMethods.dt_permute(Handle, p, dims.Length, out var r), r);
    }

    /// <summary>Swaps two dimensions.</summary>
    public Tensor transpose(long dim0, long dim1) => From(NativeMethods.dt_transpose(Handle, dim0, dim1, out var r), r);

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/>.</summary>
    public Tensor unsqueeze(long dim) => From(NativeMethods.dt_unsqueeze(Handle, dim, out var r), r);

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1.</summary>
    public Tensor squeeze(long dim) => From(NativeMethods.dt_squeeze(Handle, dim, out var r), r);

    /// <summary>Merges dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    public Tensor flatten(long startDim = 0, long endDim = -1) => From(NativeMethods.dt_flatten(Handle, startDim, endDim, out var r), r);

    /// <summary>A tensor with the same values in row-major layout.</summary>
    public Tensor contiguous() => From(NativeMethods.dt_contiguous(Handle, out var r), r);

    /// <summary>The slice [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of dimension <paramref name="dim"/> (a view).</summary>
    public Tensor narrow(long dim, long start, long length) => From(NativeMethods.dt_narrow(Handle, dim, start, length, out var r), r);

    /// <summary>Entries of dimension <paramref name="dim"/> picked by an int64 <paramref name="index"/>.</summary>
    public Tensor index_select(long dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return From(NativeMethods.dt_index_select(Handle, dim, index.Handle, out var r), r);
    }

    /// <summary>Splits into <paramref name="chunks"/> nearly equal parts along <paramref name="dim"/> (the last may be smaller; fewer parts when the size is small).</summary>
    public unsafe Tensor[] chunk(long chunks, long dim = 0)
    {
        if (chunks < 1) throw new ArgumentOutOfRangeException(nameof(chunks), $"chunk count must be at least 1, got {chunks}");
        var raw = new IntPtr[chunks];
        fixed (IntPtr* p = raw)
        {
            Status.Check(NativeMethods.dt_chunk(Handle, chunks, dim, p, raw.Length, out int count));
            return Wrap(raw, count);
        }
    }

    /// <summary>Splits into parts of <paramref name="splitSize"/> along <paramref name="dim"/> (the last may be smaller).</summary>
    public unsafe Tensor[] split(long splitSize, long dim = 0)
    {
        if (splitSize < 1) throw new ArgumentOutOfRangeException(nameof(splitSize), $"split size must be at least 1, got {splitSize}");
        long length = size((int)dim);
        var raw = new IntPtr[Math.Max(1, (length + splitSize - 1) / splitSize)];
        fixed (IntPtr* p = raw)
        {
            Status.Check(NativeMethods.dt_split(Handle, splitSize, dim, p, raw.Length, out int count));
            return Wrap(raw, count);
        }
    }

    private static Tensor[] Wrap(IntPtr[] raw, int count)
    {
        var result = new Tensor[count];
        for (int i = 0; i < count; i++) result[i] = new Tensor(raw[i]);
        return result;
    }

    /// <summary>A copy with its own storage (and autograd history to this tensor).</summary>
    public Tensor clone() => From(NativeMethods.dt_clone(Handle, out var r), r);
}
