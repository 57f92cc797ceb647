namespace Diffusion.Runtime.Evaluation.Likelihood;

/// <summary>How <see cref="ProbabilityFlowLikelihood"/> integrates the probability-flow ODE.</summary>
public sealed record LikelihoodOptions
{
    /// <summary>Relative tolerance of the adaptive RK45 (Dormand-Prince) step control.</summary>
    public double RelativeTolerance { get; init; } = 1e-5;

    /// <summary>Absolute tolerance of the adaptive RK45 step control.</summary>
    public double AbsoluteTolerance { get; init; } = 1e-5;

    /// <summary>Rademacher probes per Hutchinson estimate of the divergence (each costs two model evaluations).</summary>
    public int Probes { get; init; } = 1;

    /// <summary>Seed of the probes: data point i draws its probes from its own stream (seed, i).</summary>
    public ulong Seed { get; init; }

    /// <summary>Data points integrated together (they share the ODE's steps).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Finite-difference step of the Jacobian-vector products, relative to the noise level sigma(t):
    /// J z = (D(x + d z) - D(x - d z)) / 2d with d = this * sigma. The denoiser varies on the scale
    /// sigma, so the truncation error is about (d/sigma)^2 / 6 relative; float32 rounding of D adds about
    /// 1e-7 / (d/sigma); 5e-3 keeps both near 5e-6, where their sum is smallest.
    /// </summary>
    public double RelativeDifferenceStep { get; init; } = 5e-3;

    /// <summary>Throws a <see cref="DiffusionRequestException"/> for an option out of range.</summary>
    public void Validate()
    {
        if (!(RelativeTolerance > 0)) throw new DiffusionRequestException($"relative tolerance must be positive, got {RelativeTolerance}.", "LikelihoodOptions.RelativeTolerance");
        if (!(AbsoluteTolerance > 0)) throw new DiffusionRequestException($"absolute tolerance must be positive, got {AbsoluteTolerance}.", "LikelihoodOptions.AbsoluteTolerance");
        if (Probes < 1) throw new DiffusionRequestException($"probes must be at least 1, got {Probes}.", "LikelihoodOptions.Probes");
        if (BatchSize < 1) throw new DiffusionRequestException($"batch size must be at least 1, got {BatchSize}.", "LikelihoodOptions.BatchSize");
        if (!(RelativeDifferenceStep > 0 && RelativeDifferenceStep < 1))
            throw new DiffusionRequestException($"the relative difference step must lie in (0, 1), got {RelativeDifferenceStep}.", "LikelihoodOptions.RelativeDifferenceStep");
    }
}

/// <summary>Log-densities of data points under a model, from <see cref="ProbabilityFlowLikelihood"/>.</summary>
/// <param name="LogDensities">log p(x) in nats, one per data point, of the density at the schedule's smallest time.</param>
/// <param name="Dimension">Values per data point.</param>
/// <param name="ModelEvaluations">Model evaluations per data point.</param>
public sealed record LikelihoodResult(double[] LogDensities, int Dimension, int ModelEvaluations)
{
    /// <summary>Mean negative log-likelihood in nats per data point.</summary>
    public double MeanNll => -LogDensities.Average();

    /// <summary>Standard error of <see cref="MeanNll"/> over the data points (probe noise included).</summary>
    public double StandardError
    {
        get
        {
            int n = LogDensities.Length;
            if (n < 2) return double.NaN;
            double mean = LogDensities.Average();
            return Math.Sqrt(LogDensities.Sum(v => (v - mean) * (v - mean)) / (n - 1) / n);
        }
    }
}
