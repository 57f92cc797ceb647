namespace Diffusion.Torch.Optim;

/// <summary>
/// Linear learning-rate warm-up: for the k-th optimizer step (k = 1, 2, ...) the learning rate is
/// base · min(1, k / warmupSteps), then stays at base. Call <see cref="step"/> after each optimizer step.
/// </summary>
public sealed class LinearWarmup
{
    private readonly Optimizer optimizer;
    private long completed;

    /// <summary>Captures the optimizer's current learning rate as the base and sets the first step's rate.</summary>
    public LinearWarmup(Optimizer optimizer, long warmupSteps)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"warm-up steps must be non-negative, got {warmupSteps}");
        this.optimizer = optimizer;
        WarmupSteps = warmupSteps;
        BaseLearningRate = optimizer.LearningRate;
        optimizer.LearningRate = RateFor(1);
    }

    /// <summary>Steps over which the rate rises linearly.</summary>
    public long WarmupSteps { get; }

    /// <summary>The rate reached after warm-up.</summary>
    public double BaseLearningRate { get; }

    /// <summary>The learning rate of optimizer step <paramref name="k"/> (1-based).</summary>
    public double RateFor(long k) => WarmupSteps == 0 ? BaseLearningRate : BaseLearningRate * Math.Min(1.0, (double)k / WarmupSteps);

    /// <summary>Records one optimizer step and sets the rate for the next one.</summary>
    public void step()
    {
        completed++;
        optimizer.LearningRate = RateFor(completed + 1);
    }
}
