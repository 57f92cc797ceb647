using System.Runtime.InteropServices;

namespace Diffusion.Torch.Native;

/// <summary>Owns a c10d store or process group of the shim; like <see cref="TensorHandle"/>, never freed by the finalizer
/// (a process group's destructor joins its worker threads, which must not happen on the finalizer thread).</summary>
internal sealed class DistributedHandle : SafeHandle
{
    private readonly Action<IntPtr> free;

    internal DistributedHandle(IntPtr raw, Action<IntPtr> free) : base(IntPtr.Zero, ownsHandle: true)
    {
        this.free = free;
        SetHandle(raw);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        free(handle);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing && !IsInvalid && !IsClosed) SetHandleAsInvalid();
        base.Dispose(disposing);
    }
}
