using Diffusion.Torch.Native;

namespace Diffusion.Torch;

public partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor. Setting it is only allowed on leaves.</summary>
    public bool requires_grad
    {
        get
        {
            Status.Check(NativeMethods.dt_requires_grad(Handle, out int value));
            return value != 0;
        }
        set => Status.Check(NativeMethods.dt_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="requires_grad"/> and returns this tensor.</summary>
    public Tensor requires_grad_(bool requiresGrad = true)
    {
        requires_grad = requiresGrad;
        return this;
    }

    /// <summary>True for tensors created by the user (not the result of a recorded operation).</summary>
    public bool is_leaf
    {
        get
        {
            Status.Check(NativeMethods.dt_is_leaf(Handle, out int value));
            return value != 0;
        }
    }

    /// <summary>The accumulated gradient, or null when none has been computed (a new tensor aliasing it each call).</summary>
    public Tensor? grad => FromOptional(NativeMethods.dt_grad(Handle, out var r), r);

    /// <summary>Forgets the accumulated gradient (sets it to none).</summary>
    public void ClearGrad() => Status.Check(NativeMethods.dt_clear_grad(Handle));

    /// <summary>Back-propagates from this tensor (a scalar, or with an explicit <paramref name="gradient"/>),
    /// accumulating into the <see cref="grad"/> of every leaf that requires it.</summary>
    public void backward(Tensor? gradient = null, bool retainGraph = false) =>
        Status.Check(NativeMethods.dt_backward(Handle, HandleOf(gradient), retainGraph ? 1 : 0));

    /// <summary>The same data without autograd history (a leaf that does not require grad).</summary>
    public Tensor detach() => From(NativeMethods.dt_detach(Handle, out var r), r);
}
