namespace Diffusion.Torch.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019): Adam whose weight decay is decoupled from the gradient,
/// θ ← θ(1 − lr·λ) before the Adam update. PyTorch's defaults (λ = 0.01).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
        : base(parameters, lr, beta1, beta2, eps, weightDecay) { }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;
}
