namespace Diffusion.Torch.Modules;

/// <summary>SiLU (swish) activation x·σ(x).</summary>
public sealed class SiLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.silu();
}
