using Diffusion.Torch.Native;

namespace Diffusion.Torch;

// In-place updates. Autograd records them like any op: to update parameters (leaves that require
// grad) run them inside torch.no_grad(), as the optimizers do.
public partial class Tensor
{
    /// <summary>this += <paramref name="alpha"/> * other. Returns this tensor.</summary>
    public Tensor add_(Tensor other, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        Status.Check(NativeMethods.dt_add_(Handle, other.Handle, alpha));
        return this;
    }

    /// <summary>this += value. Returns this tensor.</summary>
    public Tensor add_(double value) => ScalarInPlace(ScalarOp.Add, value);

    /// <summary>this -= value. Returns this tensor.</summary>
    public Tensor sub_(double value) => ScalarInPlace(ScalarOp.Sub, value);

    /// <summary>this *= other (elementwise). Returns this tensor.</summary>
    public Tensor mul_(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Status.Check(NativeMethods.dt_mul_(Handle, other.Handle));
        return this;
    }

    /// <summary>this *= value. Returns this tensor.</summary>
    public Tensor mul_(double value) => ScalarInPlace(ScalarOp.Mul, value);

    /// <summary>this /= value. Returns this tensor.</summary>
    public Tensor div_(double value) => ScalarInPlace(ScalarOp.Div, value);

    /// <summary>Sets every element to <paramref name="value"/>. Returns this tensor.</summary>
    public Tensor fill_(double value) => ScalarInPlace(ScalarOp.Fill, value);

    /// <summary>Sets every element to zero. Returns this tensor.</summary>
    public Tensor zero_() => ScalarInPlace(ScalarOp.Fill, 0);

    /// <summary>this += <paramref name="value"/> * a * b (elementwise). Returns this tensor.</summary>
    public Tensor addcmul_(Tensor a, Tensor b, double value = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Status.Check(NativeMethods.dt_addcmul_(Handle, a.Handle, b.Handle, value));
        return this;
    }

    /// <summary>this += <paramref name="value"/> * a / b (elementwise). Returns this tensor.</summary>
    public Tensor addcdiv_(Tensor a, Tensor b, double value = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Status.Check(NativeMethods.dt_addcdiv_(Handle, a.Handle, b.Handle, value));
        return this;
    }

    /// <summary>Copies the values of <paramref name="source"/> (broadcast, converted) into this tensor. Returns this tensor.</summary>
    public Tensor copy_(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Status.Check(NativeMethods.dt_copy_(Handle, source.Handle));
        return this;
    }

    /// <summary>Fills with samples of U(<paramref name="low"/>, <paramref name="high"/>), without recording gradients. Returns this tensor.</summary>
    public Tensor uniform_(double low, double high, Generator? generator = null)
    {
        Status.Check(NativeMethods.dt_uniform_(Handle, low, high, Generator.HandleOf(generator)));
        return this;
    }

    /// <summary>Fills with samples of N(<paramref name="mean"/>, <paramref name="std"/>²), without recording gradients. Returns this tensor.</summary>
    public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null)
    {
        Status.Check(NativeMethods.dt_normal_(Handle, mean, std, Generator.HandleOf(generator)));
        return this;
    }

    /// <summary>Replaces this tensor's data (shape, dtype, storage) with <paramref name="source"/>'s, keeping its identity
    /// and autograd flags: how modules change the dtype of their parameters.</summary>
    internal void SetData(Tensor source) => Status.Check(NativeMethods.dt_set_data(Handle, source.Handle));

    private Tensor ScalarInPlace(ScalarOp op, double value)
    {
        Status.Check(NativeMethods.dt_scalar_((int)op, Handle, value));
        return this;
    }
}
