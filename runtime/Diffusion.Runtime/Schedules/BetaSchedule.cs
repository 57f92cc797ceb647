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

    internal static double[] Linspace(double start, double end, int count)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = count == 1 ? start : start + (end - start) * i / (count - 1);
        return v;
    }
}
