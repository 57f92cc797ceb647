using System.Runtime.InteropServices;

namespace Diffusion.Torch.Native;

/// <summary>Turns a shim status into a <see cref="TorchException"/> carrying libtorch's message.</summary>
internal static class Status
{
    /// <summary>Throws when <paramref name="status"/> reports an error. The message buffer belongs to the
    /// shim (thread-local, overwritten by the next failure), so it is copied before anything else runs.</summary>
    internal static void Check(int status)
    {
        if (status != 0) Throw();
    }

    private static void Throw()
    {
        string message = Marshal.PtrToStringUTF8(NativeMethods.dt_last_error()) ?? "libtorch reported an error without a message";
        throw new TorchException(message);
    }
}
