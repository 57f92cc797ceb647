using System.Runtime.InteropServices;

namespace Diffusion.Torch.Native;

/// <summary>Owns one shim random-number generator; like <see cref="TensorHandle"/>, never freed by the finalizer.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    /// <summary>Stands for "the global generator" (seeded by <c>torch.manual_seed</c>).</summary>
    internal static readonly GeneratorHandle Global = new(IntPtr.Zero, ownsHandle: false);

    internal GeneratorHandle(IntPtr raw, bool ownsHandle = true) : base(IntPtr.Zero, ownsHandle) => SetHandle(raw);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.dt_generator_free(handle);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing && !IsInvalid && !IsClosed) SetHandleAsInvalid();
        base.Dispose(disposing);
    }
}
