namespace Diffusion.Onnx.Schedulers;

/// <summary>The betas and cumulative alphas of a discrete schedule, in double precision.</summary>
public static class DiscreteBetas
{
    /// <summary>The T betas of <paramref name="schedule"/>, as diffusers lays them out.</summary>
    public static double[] Of(NoiseScheduleOptions schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.TrainedBetas is { } trained)
            return trained.ToArray();
        var n = schedule.NumTrainTimesteps;
        return schedule.BetaSchedule switch
        {
            BetaSchedule.Linear => Linspace(schedule.BetaStart, schedule.BetaEnd, n),
            BetaSchedule.ScaledLinear => Linspace(Math.Sqrt(schedule.BetaStart), Math.Sqrt(schedule.BetaEnd), n).Select(b => b * b).ToArray(),
            BetaSchedule.SquaredCosCapV2 => SquaredCosine(n),
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule.BetaSchedule, "unknown beta schedule"),
        };
    }

    /// <summary>alpha_bar_i = prod_{j &lt;= i} (1 - beta_j) (Ho et al. 2020, eq. 4).</summary>
    public static double[] CumulativeAlphas(IReadOnlyList<double> betas)
    {
        var alphaBars = new double[betas.Count];
        var product = 1.0;
        for (var i = 0; i < betas.Count; i++)
            alphaBars[i] = product *= 1 - betas[i];
        return alphaBars;
    }

    private static double[] Linspace(double start, double end, int n)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
            values[i] = start + (end - start) * i / (n - 1);
        return values;
    }

    // Nichol & Dhariwal 2021, eq. 17: alpha_bar(t) = cos^2(((t + s) / (1 + s)) * pi / 2), s = 0.008;
    // beta_i = 1 - alpha_bar((i + 1) / T) / alpha_bar(i / T), capped at 0.999.
    private static double[] SquaredCosine(int n)
    {
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var betas = new double[n];
        for (var i = 0; i < n; i++)
            betas[i] = Math.Min(1 - AlphaBar((i + 1.0) / n) / AlphaBar((double)i / n), 0.999);
        return betas;
    }
}
