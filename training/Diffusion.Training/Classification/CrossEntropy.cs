using Diffusion.Torch;

namespace Diffusion.Training.Classification;

/// <summary>The classification loss: the mean over the batch of −log softmax(logits)[label].</summary>
internal static class CrossEntropy
{
    /// <summary>The mean cross-entropy of <paramref name="logits"/> [N, K] against class indices <paramref name="labels"/> [N].</summary>
    public static Tensor Loss(Tensor logits, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var shape = logits.shape;
        if (shape.Length != 2 || shape[0] != labels.Length)
            throw new ArgumentException($"cross-entropy needs logits [N, K] for {labels.Length} labels, got [{string.Join(", ", shape)}]", nameof(logits));
        int n = labels.Length, k = (int)shape[1];
        var oneHot = new float[n * k];
        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)k) throw new ArgumentException($"label {labels[i]} of row {i} is not a class index in [0, {k})", nameof(labels));
            oneHot[i * k + labels[i]] = 1;
        }
        using var scope = torch.NewDisposeScope();
        var target = torch.FromData<float>(oneHot, [n, k]);
        return (-(logits.log_softmax(1) * target).sum(1).mean()).MoveToOuterDisposeScope();
    }
}
