namespace Diffusion.Runtime.Schedules;

/// <summary>
/// The beta sequences of discrete variance-preserving diffusion, by their diffusers names.
/// </summary>
public static class BetaSchedule
{
    /// <summary>Names accepted in <c>beta_schedule</c>.</summary>
    public static readonly IReadOnlyList<string> Names = ["linear", "scaled_linear", "squaredcos_cap_v2"];

    /// <summary>Builds T betas for the named schedule.</summary>
    public static double[] Create(string name, int steps, double betaStart, double betaEnd)
    {
        if (steps < 1) throw new DiffusionModelException($"num_train_timesteps must be at least 1, got {steps}.");
        return name switch
        {
            // Ho et al. 2020, sec. 4: betas linear from 1e-4 to 0.02.
            "linear" => Linspace(betaStart, betaEnd, steps),
            // Latent-diffusion schedule: linear in sqrt(beta).
            "scaled_linear" => Linspace(Math.Sqrt(betaStart), Math.Sqrt(betaEnd), steps).Select(b => b * b).ToArray(),
            // Nichol & Dhariwal 2021, eq. 17: alpha_bar(t) = cos^2((t/T + s)/(1 + s) * pi/2), s = 0.008,
            // betas = 1 - alpha_bar(t+1)/alpha_bar(t), clipped at 0.999.
            "squaredcos_cap_v2" => Cosine(steps),
            _ => throw new DiffusionModelException(
                $"unknown beta_schedule '{name}': use one of {string.Join(", ", Names)}, or give trained_betas."),
        };
    }

    private static double[] Cosine(int steps)
    {
        static double AlphaBar(double u) => Math.Pow(Math.Cos((u + 0.008) / 1.008 * Math.PI / 2), 2);
        var betas = new double[steps];
        for (int i = 0; i < steps; i++)
            betas[i] = Math.Min(1 - AlphaBar((i + 1.0) / steps) / AlphaBar((double)i / steps), 0.999);
        return betas;
    }

    /// <summary>
    /// Rescales betas so the last step has zero signal-to-noise ratio (Lin et al. 2024, "Common
    /// Diffusion Noise Schedules and Sample Steps are Flawed", Alg. 1): sqrt(alpha_bar) is shifted so
    /// its last value is 0 and scaled so its first is unchanged. The last alpha_bar is then set to
    /// <paramref name="lastAlphaBar"/> (&gt; 0) so the schedule keeps a finite sigma/alpha, or to half the
    /// one before it when that is smaller (diffusers sets 2^-24 even then, which makes the last step
    /// less noisy than the one before it).
    /// </summary>
    public static double[] RescaleZeroTerminalSnr(IReadOnlyList<double> betas, double lastAlphaBar)
    {
        int n = betas.Count;
        var root = new double[n];
        double prod = 1;
        for (int i = 0; i < n; i++) root[i] = Math.Sqrt(prod *= 1 - betas[i]);
        double first = root[0], last = root[^1];
        var alphaBar = new double[n];
        for (int i = 0; i < n; i++)
        {
            double r = (root[i] - last) * first / (first - last);
            alphaBar[i] = r * r;
        }
        alphaBar[^1] = Math.Min(lastAlphaBar, alphaBar[^2] / 2); // noise keeps growing with time
        var rescaled = new double[n];
        for (int i = 0; i < n; i++) rescaled[i] = 1 - (i == 0 ? alphaBar[0] : alphaBar[i] / alphaBar[i - 1]);
        return rescaled;
    }

    internal static double[] Linspace(double start, double end, int count)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = count == 1 ? start : start + (end - start) * i / (count - 1);
        return v;
    }
}
