using Diffusion.Torch.Optim;

namespace Diffusion.Torch.Tests;

public class OptimizerTests
{
    private static Parameter Param(params double[] values)
    {
        using var scope = torch.NewDisposeScope();
        return new Parameter(torch.tensor(values));
    }

    private static void SetGrad(Parameter p, params double[] grad)
    {
        using var scope = torch.NewDisposeScope();
        p.ClearGrad();
        // d/dp Σ gᵢ pᵢ = g
        (p * torch.tensor(grad)).sum().backward();
    }

    [Fact]
    public void AdamStepsMatchHandComputedValues()
    {
        using var p = Param(1.0, -2.0);
        using var adam = new Adam([p], lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8);
        double[] theta = [1.0, -2.0], m = [0, 0], v = [0, 0];
        double[][] grads = [[0.5, -1.5], [0.2, 3.0], [-0.7, 0.1]];
        for (int t = 1; t <= grads.Length; t++)
        {
            SetGrad(p, grads[t - 1]);
            adam.step();
            for (int i = 0; i < 2; i++)
            {
                double g = grads[t - 1][i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double mHat = m[i] / (1 - Math.Pow(0.9, t)), vHat = v[i] / (1 - Math.Pow(0.999, t));
                theta[i] -= 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
            var actual = p.ToArray<double>();
            Assert.Equal(theta[0], actual[0], 12);
            Assert.Equal(theta[1], actual[1], 12);
        }
        // The first step moves every coordinate by lr (m̂/√v̂ = ±1): a classic Adam property.
        Assert.Equal(3, adam.StepCount);
    }

    [Fact]
    public void AdamWeightDecayIsAddedToTheGradientButAdamWDecaysTheWeights()
    {
        // With a zero gradient, AdamW only shrinks the weights: θ(1 − lr·λ).
        using var p = Param(2.0, -4.0);
        using var adamW = new AdamW([p], lr: 0.1, weightDecay: 0.5);
        SetGrad(p, 0, 0);
        adamW.step();
        Assert.Equal([2.0 * 0.95, -4.0 * 0.95], p.ToArray<double>());

        // Adam's L2 decay turns the zero gradient into λθ; its first step then moves each weight by lr against sign(θ).
        using var q = Param(2.0, -4.0);
        using var adam = new Adam([q], lr: 0.1, weightDecay: 0.5);
        SetGrad(q, 0, 0);
        adam.step();
        var moved = q.ToArray<double>();
        Assert.Equal(1.9, moved[0], 6);
        Assert.Equal(-3.9, moved[1], 6);
    }

    [Fact]
    public void ParametersWithoutGradientsAreLeftAlone()
    {
        using var p = Param(1.0);
        using var q = Param(5.0);
        using var adam = new Adam([p, q], lr: 0.1);
        SetGrad(p, 1.0);
        adam.step();
        Assert.Equal(5.0, q.ToArray<double>()[0]);
        Assert.Null(adam.State(1).m);
        Assert.NotNull(adam.State(0).m);
        adam.zero_grad();
        Assert.Null(p.grad);
    }

    [Fact]
    public void ClippingScalesTheGlobalNormDownToTheLimit()
    {
        using var a = Param(0.0, 0.0);
        using var b = Param(0.0);
        SetGrad(a, 3.0, 0.0);
        SetGrad(b, 4.0);
        double norm = torch.nn.utils.clip_grad_norm_([a, b], 1.0);
        Assert.Equal(5.0, norm, 12);
        using (var scope = torch.NewDisposeScope())
        {
            Assert.Equal(0.6, a.grad!.ToArray<double>()[0], 6);
            Assert.Equal(0.8, b.grad!.ToArray<double>()[0], 6);
        }
        double after = torch.nn.utils.clip_grad_norm_([a, b], 10.0);
        Assert.Equal(1.0, after, 5);
        using (var scope = torch.NewDisposeScope()) Assert.Equal(0.8, b.grad!.ToArray<double>()[0], 6); // under the limit: unchanged
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.nn.utils.clip_grad_norm_([a], 0));
    }

    [Fact]
    public void TheWarmUpRaisesTheRateLinearlyThenAConstantScheduleHoldsIt()
    {
        using var p = Param(0.0);
        using var adam = new Adam([p], lr: 1e-3);
        var schedule = new LearningRateSchedule(adam, 4);
        var rates = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            rates.Add(adam.LearningRate);
            schedule.step();
        }
        Assert.Equal([0.25e-3, 0.5e-3, 0.75e-3, 1e-3, 1e-3, 1e-3], rates.Select(r => Math.Round(r, 12)));
    }

    [Fact]
    public void ACosineScheduleFallsAlongAHalfCosineToZeroAtTheLastStep()
    {
        using var p = Param(0.0);
        using var adam = new Adam([p], lr: 1e-3);
        // Warm-up over steps 1-2, then 4 decay steps: p = 1/4, 2/4, 3/4, 1 at steps 3-6, rate (1 + cos(pi p)) / 2.
        var schedule = new LearningRateSchedule(adam, 2, LearningRateDecay.Cosine, totalSteps: 6);
        var rates = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            rates.Add(adam.LearningRate);
            schedule.step();
        }
        double c = Math.Sqrt(0.5) / 2; // cos(pi/4) / 2
        Assert.Equal([0.5e-3, 1e-3, (0.5 + c) * 1e-3, 0.5e-3, (0.5 - c) * 1e-3, 0, 0, 0], rates, new RoundedEquality(12));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(adam, 2, LearningRateDecay.Cosine, totalSteps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(adam, 2, (LearningRateDecay)7, totalSteps: 6));
    }

    /// <summary>Equal after rounding both sides to the given decimals.</summary>
    private sealed class RoundedEquality(int decimals) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Round(x, decimals) == Math.Round(y, decimals);
        public int GetHashCode(double value) => Math.Round(value, decimals).GetHashCode();
    }

    [Fact]
    public void AdamMinimisesAQuadratic()
    {
        using var p = Param(3.0, -2.0);
        using var adam = new Adam([p], lr: 0.05);
        for (int i = 0; i < 500; i++)
        {
            using var scope = torch.NewDisposeScope();
            adam.zero_grad();
            (p - torch.tensor([1.0, 1.0])).square().sum().backward();
            adam.step();
        }
        var final = p.ToArray<double>();
        Assert.Equal(1.0, final[0], 2);
        Assert.Equal(1.0, final[1], 2);
    }
}
