using F = Diffusion.Torch.torch.nn.functional;

namespace Diffusion.Torch.Modules;

/// <summary>Group normalisation (Wu &amp; He 2018) with a per-channel affine map (weight 1, bias 0 initially).</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="channels"/> must be divisible by <paramref name="groups"/>.</summary>
    public GroupNorm(long groups, long channels, double eps = 1e-5, bool affine = true)
    {
        if (groups < 1 || channels < 1 || channels % groups != 0)
        {
            throw new ArgumentException($"GroupNorm: {channels} channels cannot be split into {groups} groups; choose a group count that divides the channel count", nameof(groups));
        }
        Groups = groups;
        Eps = eps;
        if (affine)
        {
            using var scope = torch.NewDisposeScope();
            weight = RegisterParameter("weight", new Parameter(torch.ones(channels)));
            bias = RegisterParameter("bias", new Parameter(torch.zeros(channels)));
        }
    }

    /// <summary>Number of groups.</summary>
    public long Groups { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Per-channel scale, or null.</summary>
    public Parameter? weight { get; }

    /// <summary>Per-channel shift, or null.</summary>
    public Parameter? bias { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => F.group_norm(input, Groups, weight, bias, Eps);
}
