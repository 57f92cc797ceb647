namespace Diffusion.Testing;

/// <summary>Numerically careful helpers used by the references.</summary>
public static class StableMath
{
    /// <summary>log sum_i exp(values_i), with the maximum subtracted first so nothing overflows.</summary>
    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var v in values) max = Math.Max(max, v);
        if (double.IsNegativeInfinity(max)) return max;
        var sum = 0.0;
        foreach (var v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>
    /// 1 - e^y, accurate for y near 0 where the subtraction cancels (Kahan's expm1 trick:
    /// with u = e^y rounded, (1 - u) y / log u corrects the rounding of u).
    /// </summary>
    public static double OneMinusExp(double y)
    {
        var u = Math.Exp(y);
        if (u == 1) return -y;
        var oneMinusU = 1 - u;
        return Math.Abs(oneMinusU) > 0.5 ? oneMinusU : oneMinusU * y / Math.Log(u);
    }

    /// <summary>A standard normal draw (Box-Muller), deterministic for a seeded <paramref name="random"/>.</summary>
    public static double NextGaussian(Random random)
    {
        var u1 = 1 - random.NextDouble(); // in (0, 1], so the log is finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
