using F = Diffusion.Torch.torch.nn.functional;

namespace Diffusion.Torch.Modules;

/// <summary>A lookup table of <c>count</c> learned vectors, initialised N(0, 1) like torch.nn.Embedding.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>Creates the table.</summary>
    public Embedding(long count, long dimension, Generator? generator = null)
    {
        if (count < 1 || dimension < 1) throw new ArgumentOutOfRangeException(nameof(count), $"Embedding needs positive sizes, got {count} x {dimension}");
        Count = count;
        using var scope = torch.NewDisposeScope();
        weight = RegisterParameter("weight", new Parameter(torch.zeros(count, dimension).normal_(0, 1, generator)));
    }

    /// <summary>Number of entries.</summary>
    public long Count { get; }

    /// <summary>[count, dimension].</summary>
    public Parameter weight { get; }

    /// <summary>Rows for int64 <paramref name="input"/> indices in [0, count).</summary>
    public override Tensor forward(Tensor input) => F.embedding(input, weight);
}
