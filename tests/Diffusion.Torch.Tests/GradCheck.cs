namespace Diffusion.Torch.Tests;

/// <summary>Compares autograd gradients with central finite differences (float64 inputs).</summary>
internal static class GradCheck
{
    /// <summary>Asserts d f(x) / dx from backward() equals (f(x+h) - f(x-h)) / 2h elementwise.</summary>
    public static void AssertGradientMatches(Func<Tensor, Tensor> f, Tensor x, double h = 1e-6, double tolerance = 1e-6)
    {
        using var scope = torch.NewDisposeScope();
        var leaf = x.detach().clone().requires_grad_();
        f(leaf).backward();
        var analytic = leaf.grad!.ToArray<double>();

        var values = x.ToArray<double>();
        var shape = x.shape;
        for (int i = 0; i < values.Length; i++)
        {
            double original = values[i];
            values[i] = original + h;
            double plus = Evaluate(f, values, shape);
            values[i] = original - h;
            double minus = Evaluate(f, values, shape);
            values[i] = original;
            double numeric = (plus - minus) / (2 * h);
            double scale = Math.Max(1, Math.Abs(numeric));
            Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance * scale,
                $"element {i}: autograd {analytic[i]:G10} vs finite difference {numeric:G10}");
        }
    }

    private static double Evaluate(Func<Tensor, Tensor> f, double[] values, long[] shape)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return f(torch.tensor(values, shape)).item<double>();
    }
}
