using Diffusion.Torch.Native;

namespace Diffusion.Torch;

public partial class Tensor
{
    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.sub(b);
    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(double a, Tensor b) => b.Scalar(ScalarOp.RSub, a);
    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    /// <summary>Scalar divided by tensor.</summary>
    public static Tensor operator /(double a, Tensor b) => b.Scalar(ScalarOp.RDiv, a);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.neg();
}
