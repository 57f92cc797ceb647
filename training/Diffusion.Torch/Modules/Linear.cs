using F = Diffusion.Torch.torch.nn.functional;

namespace Diffusion.Torch.Modules;

/// <summary>y = x Wᵀ + b, initialised like torch.nn.Linear: W and b ~ U(−1/√in, 1/√in).</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="generator"/> (or the global one) draws the initial weights.</summary>
    public Linear(long inFeatures, long outFeatures, bool hasBias = true, Generator? generator = null)
    {
        if (inFeatures < 1 || outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear needs positive sizes, got {inFeatures} -> {outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        using var scope = torch.NewDisposeScope();
        weight = RegisterParameter("weight", new Parameter(torch.nn.init.kaiming_uniform_(torch.zeros(outFeatures, inFeatures), Math.Sqrt(5), generator)));
        if (hasBias)
        {
            double bound = 1 / Math.Sqrt(inFeatures);
            bias = RegisterParameter("bias", new Parameter(torch.zeros(outFeatures).uniform_(-bound, bound, generator)));
        }
    }

    /// <summary>Input features.</summary>
    public long InFeatures { get; }

    /// <summary>Output features.</summary>
    public long OutFeatures { get; }

    /// <summary>[out, in].</summary>
    public Parameter weight { get; }

    /// <summary>[out], or null.</summary>
    public Parameter? bias { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => F.linear(input, weight, bias);
}
