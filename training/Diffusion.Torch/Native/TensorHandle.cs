using System.Runtime.InteropServices;

namespace Diffusion.Torch.Native;

/// <summary>
/// Owns one shim tensor handle. Released deterministically by <see cref="Tensor.Dispose"/> (directly or
/// through a <see cref="DisposeScope"/>). A handle that reaches the finalizer is counted as leaked and
/// NOT freed: libtorch memory is never released from the finalizer thread.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    private static long leaked;

    /// <summary>A handle standing for "no tensor" (optional arguments such as a missing bias).</summary>
    internal static readonly TensorHandle Null = new(IntPtr.Zero, ownsHandle: false);

    internal TensorHandle(IntPtr raw, bool ownsHandle = true) : base(IntPtr.Zero, ownsHandle) => SetHandle(raw);

    /// <summary>Handles that were garbage-collected without being disposed (their native memory is leaked).</summary>
    internal static long LeakedCount => Interlocked.Read(ref leaked);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.dt_free(handle);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing && !IsInvalid && !IsClosed)
        {
            Interlocked.Increment(ref leaked);
            SetHandleAsInvalid(); // marks the handle closed so the base class skips ReleaseHandle
        }
        base.Dispose(disposing);
    }
}
