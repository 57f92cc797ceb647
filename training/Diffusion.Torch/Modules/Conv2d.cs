using F = Diffusion.Torch.torch.nn.functional;

namespace Diffusion.Torch.Modules;

/// <summary>2-D convolution with a square kernel, initialised like torch.nn.Conv2d: W and b ~ U(−1/√fan_in, 1/√fan_in),
/// fan_in = in·k².</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="generator"/> (or the global one) draws the initial weights.</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool hasBias = true, Generator? generator = null)
    {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"Conv2d needs positive channels, kernel and stride and a non-negative padding, got in={inChannels} out={outChannels} k={kernelSize} s={stride} p={padding}");
        }
        Stride = stride;
        Padding = padding;
        using var scope = torch.NewDisposeScope();
        weight = RegisterParameter("weight", new Parameter(torch.nn.init.kaiming_uniform_(torch.zeros(outChannels, inChannels, kernelSize, kernelSize), Math.Sqrt(5), generator)));
        if (hasBias)
        {
            double bound = 1 / Math.Sqrt(inChannels * kernelSize * kernelSize);
            bias = RegisterParameter("bias", new Parameter(torch.zeros(outChannels).uniform_(-bound, bound, generator)));
        }
    }

    /// <summary>Step between windows.</summary>
    public long Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public long Padding { get; }

    /// <summary>[out, in, k, k].</summary>
    public Parameter weight { get; }

    /// <summary>[out], or null.</summary>
    public Parameter? bias { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => F.conv2d(input, weight, bias, Stride, Padding);
}
