namespace Diffusion.Torch.Modules;

/// <summary>
/// The Transformer positional encoding applied to a real-valued timestep, as DDPM does (Ho et al. 2020,
/// Vaswani et al. 2017 §3.5): for t of shape [N] the output [N, dim] is [sin(t·ωₖ) | cos(t·ωₖ)] with
/// ωₖ = maxPeriod^(−k/half), k = 0..half−1, half = dim/2 (sines in the first half, cosines in the second).
/// The frequencies ωₖ are a buffer named <c>frequencies</c>.
/// </summary>
public sealed class SinusoidalTimestepEmbedding : Module<Tensor, Tensor>
{
    /// <summary>Creates the embedding; <paramref name="dimension"/> must be even.</summary>
    public SinusoidalTimestepEmbedding(long dimension, double maxPeriod = 10000)
    {
        if (dimension < 2 || dimension % 2 != 0) throw new ArgumentException($"timestep embedding dimension must be even and at least 2, got {dimension}", nameof(dimension));
        Dimension = dimension;
        long half = dimension / 2;
        var omega = new float[half];
        for (int k = 0; k < half; k++) omega[k] = (float)Math.Exp(-Math.Log(maxPeriod) * k / half);
        frequencies = RegisterBuffer("frequencies", torch.tensor(omega));
    }

    /// <summary>Output width.</summary>
    public long Dimension { get; }

    /// <summary>ωₖ, shape [dim/2].</summary>
    public Tensor frequencies { get; }

    /// <summary>Embeds timesteps [N] (any real values) into [N, dim].</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 1) throw new ArgumentException($"timesteps must have shape [N], got [{string.Join(", ", input.shape)}]", nameof(input));
        using var t = input.unsqueeze(1);
        using var w = frequencies.unsqueeze(0);
        using var angles = t * w;
        using var sin = angles.sin();
        using var cos = angles.cos();
        return torch.cat([sin, cos], 1);
    }
}
