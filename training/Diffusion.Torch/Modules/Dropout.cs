using F = Diffusion.Torch.torch.nn.functional;

namespace Diffusion.Torch.Modules;

/// <summary>Dropout with probability <see cref="P"/>, active only in training mode (draws from the global generator).</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public Dropout(double p = 0.5)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability must be in [0, 1], got {p}");
        P = p;
    }

    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => F.dropout(input, P, training && P > 0);
}
