namespace Diffusion.Torch.Native;

// Mirrors of the enums in training/native/diffusion_torch.h: keep the values in sync.

internal enum UnaryOp { Neg = 0, Exp, Log, Sqrt, Sin, Cos, Silu, Sigmoid, Tanh, Relu, Abs, Square, Rsqrt }

internal enum BinaryOp { Add = 0, Sub, Mul, Div, Pow, Maximum, Minimum }

/// <summary>a op s; RSub is s - a, RDiv is s / a, Fill (in place only) sets every element to s.</summary>
internal enum ScalarOp { Add = 0, Sub, Mul, Div, Pow, RSub, RDiv, Fill }

internal enum ReduceOp { Sum = 0, Mean, AMax, AMin, Norm2 }
