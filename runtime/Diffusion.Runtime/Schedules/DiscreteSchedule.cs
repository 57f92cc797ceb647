using System.Collections.Immutable;
namespace Diffusion.Runtime.Schedules;

/// <summary>
/// DDPM's discrete variance-preserving process (Ho et al. 2020): T betas, alpha_bar_i = prod(1 - beta).
/// Time is the training index in [0, T-1]; between indices the schedule is interpolated linearly
/// in log(sigma/alpha), as k-diffusion does, so samplers may use any time, not only the grid.
/// </summary>
public sealed class DiscreteSchedule : NoiseSchedule
{
    private readonly double[] _logScaledSigma;
    private readonly bool _cleanEndIsExact;

    /// <summary>Creates the schedule from its betas.</summary>
    /// <param name="betas">beta_1..beta_T, each in (0, 1).</param>
    /// <param name="setAlphaToOne">diffusers' <c>set_alpha_to_one</c>: whether the path ends at
    /// alpha_bar = 1 (clean) or at alpha_bar_0, the first training step.</param>
    public DiscreteSchedule(IReadOnlyList<double> betas, bool setAlphaToOne = true)
    {
        if (betas.Count < 2) throw new DiffusionModelException($"a discrete schedule needs at least 2 betas, got {betas.Count}.");
        Betas = [.. betas];
        var alphasCumprod = new double[betas.Count];
        _logScaledSigma = new double[betas.Count];
        double prod = 1;
        for (int i = 0; i < Betas.Length; i++)
        {
            double b = Betas[i];
            if (!(b > 0 && b < 1)) throw new DiffusionModelException($"beta {i} is {b}: betas must lie in (0, 1).");
            prod *= 1 - b;
            alphasCumprod[i] = prod;
            _logScaledSigma[i] = 0.5 * Math.Log((1 - prod) / prod);
        }
        AlphasCumprod = [.. alphasCumprod];
        _cleanEndIsExact = setAlphaToOne;
    }

    /// <summary>beta_i for each training index.</summary>
    public ImmutableArray<double> Betas { get; }

    /// <summary>alpha_bar_i = prod_{j &lt;= i} (1 - beta_j) for each training index.</summary>
    public ImmutableArray<double> AlphasCumprod { get; }

    /// <summary>Number of training steps T.</summary>
    public int TrainSteps => Betas.Length;

    /// <inheritdoc />
    public override double MinTime => 0;

    /// <inheritdoc />
    public override double MaxTime => Betas.Length - 1;

    /// <inheritdoc />
    public override double TrainingStep => 1;

    /// <inheritdoc />
    public override bool IsDiscrete => true;

    /// <summary>
    /// The end of every path: the clean sample (alpha 1, sigma 0, time -1, before the first step)
    /// with set_alpha_to_one; otherwise the first training step itself, time 0. Samplers that
    /// evaluate the model at the end (Heun, when sigma is not 0) must feed it a time on the
    /// training grid: -1 would read outside it (an int64 index of -1 gathers the last step).
    /// </summary>
    public override TimePoint Clean => _cleanEndIsExact ? new(-1, 1, 0) : At(0);

    /// <inheritdoc />
    public override TimePoint At(double time)
    {
        double t = Math.Clamp(time, MinTime, MaxTime);
        int i = (int)Math.Floor(t);
        double logScaled;
        if (i >= _logScaledSigma.Length - 1 || t == i)
        {
            i = Math.Min(i, _logScaledSigma.Length - 1);
            double ab = AlphasCumprod[i];
            return new TimePoint(time, Math.Sqrt(ab), Math.Sqrt(1 - ab));
        }
        double w = t - i;
        logScaled = (1 - w) * _logScaledSigma[i] + w * _logScaledSigma[i + 1];
        double scaled = Math.Exp(logScaled);
        double alpha = 1 / Math.Sqrt(1 + scaled * scaled);
        return new TimePoint(time, alpha, scaled * alpha);
    }

    /// <inheritdoc />
    public override double TimeOfScaledSigma(double scaledSigma)
    {
        double target = Math.Log(scaledSigma);
        if (target <= _logScaledSigma[0]) return 0;
        if (target >= _logScaledSigma[^1]) return MaxTime;
        int hi = Array.BinarySearch(_logScaledSigma, target);
        if (hi >= 0) return hi;
        hi = ~hi;
        int lo = hi - 1;
        return lo + (target - _logScaledSigma[lo]) / (_logScaledSigma[hi] - _logScaledSigma[lo]);
    }

    /// <inheritdoc />
    public override string Describe() =>
        $"discrete variance-preserving, T = {TrainSteps}, beta {Betas[0]:G4} .. {Betas[^1]:G4}, " +
        $"alpha_bar {AlphasCumprod[0]:G4} .. {AlphasCumprod[^1]:G4}";
}
