namespace Diffusion.Torch.Optim;

/// <summary>What the learning rate does once the warm-up is over.</summary>
public enum LearningRateDecay
{
    /// <summary>It stays at the base rate.</summary>
    Constant,

    /// <summary>It falls from the base rate to 0 at the last step along a half cosine.</summary>
    Cosine,
}

/// <summary>
/// The learning rate of every optimizer step k = 1, 2, ...: a linear warm-up, base · min(1, k / warmupSteps), then
/// either the base rate (<see cref="LearningRateDecay.Constant"/>) or a half cosine from the base rate at the end of
/// the warm-up to 0 at step <c>totalSteps</c> (<see cref="LearningRateDecay.Cosine"/>; Loshchilov &amp; Hutter 2017,
/// eq. 5 without restarts): base · (1 + cos(π p)) / 2, with p the fraction of the decay steps done. Steps past the
/// total keep the rate 0. Call <see cref="step"/> after each optimizer step, or set the rate from <see cref="RateFor"/>.
/// </summary>
public sealed class LearningRateSchedule
{
    private readonly Optimizer optimizer;
    private long completed;

    /// <summary>Captures the optimizer's current learning rate as the base and sets the first step's rate.</summary>
    /// <param name="optimizer">The optimizer whose rate this sets.</param>
    /// <param name="warmupSteps">Steps over which the rate rises linearly from 0 (0: none).</param>
    /// <param name="decay">What the rate does after the warm-up.</param>
    /// <param name="totalSteps">The step the cosine reaches 0 at; unused by <see cref="LearningRateDecay.Constant"/>.</param>
    public LearningRateSchedule(Optimizer optimizer, long warmupSteps, LearningRateDecay decay = LearningRateDecay.Constant, long totalSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"warm-up steps must be non-negative, got {warmupSteps}");
        if (!Enum.IsDefined(decay)) throw new ArgumentOutOfRangeException(nameof(decay), $"unknown learning-rate decay {decay}");
        if (decay == LearningRateDecay.Cosine && totalSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), $"a cosine decay needs the total number of steps (at least 1), got {totalSteps}");
        this.optimizer = optimizer;
        WarmupSteps = warmupSteps;
        Decay = decay;
        TotalSteps = totalSteps;
        BaseLearningRate = optimizer.LearningRate;
        optimizer.LearningRate = RateFor(1);
    }

    /// <summary>Steps over which the rate rises linearly.</summary>
    public long WarmupSteps { get; }

    /// <summary>What the rate does after the warm-up.</summary>
    public LearningRateDecay Decay { get; }

    /// <summary>The step a cosine decay reaches 0 at.</summary>
    public long TotalSteps { get; }

    /// <summary>The rate reached at the end of the warm-up.</summary>
    public double BaseLearningRate { get; }

    /// <summary>The learning rate of optimizer step <paramref name="k"/> (1-based).</summary>
    public double RateFor(long k)
    {
        if (k <= WarmupSteps) return BaseLearningRate * k / WarmupSteps;
        long decaySteps = TotalSteps - WarmupSteps;
        if (Decay == LearningRateDecay.Constant || decaySteps <= 0) return BaseLearningRate;
        double done = Math.Min(1.0, (double)(k - WarmupSteps) / decaySteps);
        return BaseLearningRate * 0.5 * (1 + Math.Cos(Math.PI * done));
    }

    /// <summary>Records one optimizer step and sets the rate for the next one.</summary>
    public void step()
    {
        completed++;
        optimizer.LearningRate = RateFor(completed + 1);
    }
}
