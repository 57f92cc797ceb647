namespace Diffusion.Torch.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, Algorithm 1) with bias correction:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
/// A non-zero <see cref="WeightDecay"/> adds λθ to the gradient (L2 regularisation, as torch.optim.Adam);
/// <see cref="AdamW"/> decays the weights directly instead.
/// </summary>
public class Adam : Optimizer
{
    private readonly Tensor?[] firstMoments;
    private readonly Tensor?[] secondMoments;

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : base(parameters, lr)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), $"Adam betas must be in [0, 1), got ({beta1}, {beta2})");
        if (eps <= 0) throw new ArgumentOutOfRangeException(nameof(eps), $"Adam eps must be positive, got {eps}");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be non-negative, got {weightDecay}");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        firstMoments = new Tensor?[Parameters.Count];
        secondMoments = new Tensor?[Parameters.Count];
    }

    /// <summary>Decay of the first-moment estimate.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment estimate.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>λ: L2 penalty (Adam) or decoupled decay rate (AdamW).</summary>
    public double WeightDecay { get; }

    /// <summary>Steps taken so far (t in the bias corrections).</summary>
    public long StepCount { get; private set; }

    /// <summary>Whether weight decay is decoupled from the gradient (AdamW).</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <inheritdoc/>
    public override void step()
    {
        StepCount++;
        double lr = LearningRate;
        double correction1 = 1 - Math.Pow(Beta1, StepCount);
        double sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        using var noGrad = torch.no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var parameter = Parameters[i];
            using var scope = torch.NewDisposeScope();
            var grad = parameter.grad;
            if (grad is null) continue;
            if (WeightDecay != 0)
            {
                if (DecoupledWeightDecay) parameter.mul_(1 - lr * WeightDecay); // Loshchilov & Hutter 2019, Algorithm 2 line 12
                else grad = grad + parameter * WeightDecay;
            }
            var m = firstMoments[i] ??= torch.zeros(parameter.shape, parameter.dtype).DetachFromDisposeScope();
            var v = secondMoments[i] ??= torch.zeros(parameter.shape, parameter.dtype).DetachFromDisposeScope();
            m.mul_(Beta1).add_(grad, 1 - Beta1);
            v.mul_(Beta2).addcmul_(grad, grad, 1 - Beta2);
            // θ ← θ − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)
            var denominator = v.sqrt().div_(sqrtCorrection2).add_(Eps);
            parameter.addcdiv_(m, denominator, -lr / correction1);
        }
    }

    /// <summary>The first- and second-moment estimates of parameter <paramref name="index"/> (null before its first update).</summary>
    public (Tensor? m, Tensor? v) State(int index) => (firstMoments[index], secondMoments[index]);

    /// <summary>
    /// Restores a state saved from <see cref="StepCount"/> and <see cref="State"/> (e.g. from a checkpoint), so
    /// that the next <see cref="step"/> continues exactly as the saved optimizer would have. The moments are
    /// copied; a null pair leaves parameter <c>i</c> without state, as before its first update.
    /// </summary>
    public void LoadState(long stepCount, IReadOnlyList<(Tensor? m, Tensor? v)> moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (moments.Count != Parameters.Count)
        {
            throw new ArgumentException($"the state holds moments for {moments.Count} parameters but the optimizer has {Parameters.Count}", nameof(moments));
        }
        for (int i = 0; i < moments.Count; i++)
        {
            var (m, v) = moments[i];
            if ((m is null) != (v is null)) throw new ArgumentException($"parameter {i} has only one of its two moments", nameof(moments));
            foreach (var moment in new[] { m, v })
            {
                if (moment is not null && !moment.shape.SequenceEqual(Parameters[i].shape))
                {
                    throw new ArgumentException($"the moment of parameter {i} is [{string.Join(", ", moment.shape)}] but the parameter is [{string.Join(", ", Parameters[i].shape)}]", nameof(moments));
                }
            }
        }
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < moments.Count; i++)
        {
            firstMoments[i]?.Dispose();
            secondMoments[i]?.Dispose();
            firstMoments[i] = moments[i].m?.detach().to(Parameters[i].dtype).clone().DetachFromDisposeScope();
            secondMoments[i] = moments[i].v?.detach().to(Parameters[i].dtype).clone().DetachFromDisposeScope();
        }
        StepCount = stepCount;
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var t in firstMoments) t?.Dispose();
        foreach (var t in secondMoments) t?.Dispose();
        base.Dispose();
    }
}
