using Diffusion.Torch;

namespace Diffusion.Training.Training;

/// <summary>
/// An exponential moving average of a network's weights, kept in a second network of the same
/// architecture: after update t (t = 0, 1, ...) every average weight is
/// <c>e = d_t e + (1 - d_t) w</c> with the warm-up <c>d_t = min(decay, (1 + t) / (10 + t))</c>,
/// so early averages follow the fast-moving weights and later ones smooth them (the averaging of
/// Ho et al. 2020, with the warm-up of TensorFlow's ExponentialMovingAverage num_updates).
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly IReadOnlyList<(string name, Parameter parameter)> source;
    private readonly IReadOnlyList<(string name, Parameter parameter)> average;

    /// <summary>Tracks <paramref name="model"/> in <paramref name="averageModel"/> (same architecture).</summary>
    /// <param name="model">The network being trained.</param>
    /// <param name="averageModel">The network holding the average; its weights are used as they are.</param>
    /// <param name="decay">The largest decay, in [0, 1).</param>
    public ExponentialMovingAverage(DenoisingNetwork model, DenoisingNetwork averageModel, double decay)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(averageModel);
        if (!(decay >= 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), $"the EMA decay must lie in [0, 1), got {decay}");
        source = model.Parameters;
        average = averageModel.Parameters;
        if (source.Count != average.Count || source.Zip(average).Any(p => p.First.name != p.Second.name || !p.First.parameter.shape.SequenceEqual(p.Second.parameter.shape)))
        {
            throw new ArgumentException("the average network does not have the trained network's architecture", nameof(averageModel));
        }
        Decay = decay;
    }

    /// <summary>The largest decay.</summary>
    public double Decay { get; }

    /// <summary>The decay of update <paramref name="t"/> (0-based).</summary>
    public static double DecayAt(double decay, long t) => Math.Min(decay, (1.0 + t) / (10.0 + t));

    /// <summary>Applies update <paramref name="t"/> (the number of updates before this one).</summary>
    public void Update(long t)
    {
        double d = DecayAt(Decay, t);
        using var noGrad = torch.no_grad();
        for (int i = 0; i < source.Count; i++) average[i].parameter.mul_(d).add_(source[i].parameter, 1 - d);
    }

    /// <summary>Sets every average weight to the trained weight (the average before any update).</summary>
    public void Reset()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < source.Count; i++) average[i].parameter.copy_(source[i].parameter);
    }
}
