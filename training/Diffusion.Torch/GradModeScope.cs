using Diffusion.Torch.Native;

namespace Diffusion.Torch;

/// <summary>
/// Enables or disables gradient recording on this thread until disposed, then restores the previous
/// mode. Created by <c>torch.no_grad()</c> and <c>torch.enable_grad()</c>; libtorch's grad mode is per thread.
/// </summary>
public sealed class GradModeScope : IDisposable
{
    private readonly bool previous;
    private bool disposed;

    internal GradModeScope(bool enabled)
    {
        Status.Check(NativeMethods.dt_set_grad_enabled(enabled ? 1 : 0, out int was));
        previous = was != 0;
    }

    /// <summary>Restores the grad mode that was in force when the scope was created.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Status.Check(NativeMethods.dt_set_grad_enabled(previous ? 1 : 0, out _));
    }
}
