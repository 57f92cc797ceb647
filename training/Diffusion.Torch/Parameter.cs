using Diffusion.Torch.Native;

namespace Diffusion.Torch;

/// <summary>
/// A trainable tensor owned by a module: a leaf that requires grad and never belongs to a dispose
/// scope (its module disposes it).
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Creates a parameter sharing <paramref name="data"/>'s storage but none of its autograd history;
    /// <paramref name="data"/> stays owned by the caller (or its scope).</summary>
    public Parameter(Tensor data, bool requiresGrad = true) : base(DetachedAlias(data), joinScope: false)
    {
        if (requiresGrad) requires_grad = true;
    }

    private static IntPtr DetachedAlias(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Status.Check(NativeMethods.dt_detach(data.Handle, out var raw));
        return raw;
    }
}
