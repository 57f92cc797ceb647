namespace Diffusion.Training.Data.Sampling;

/// <summary>
/// A small, fast, reproducible generator (SplitMix64 by Steele, Lea &amp; Flood) for shuffles and
/// toy data. Unlike <see cref="Random"/> its sequence is fixed by this code alone: a (seed, stream)
/// pair gives the same numbers on every machine and .NET version.
/// </summary>
internal struct SeededRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private const double UnitScale = 1.0 / (1UL << 53);

    private ulong state;

    /// <summary>The generator of <paramref name="stream"/> under <paramref name="seed"/>; distinct streams are independent.</summary>
    public SeededRandom(long seed, long stream)
    {
        state = Mix((ulong)seed ^ Mix((ulong)stream * 0xD1B54A32D192ED03UL + Golden));
    }

    /// <summary>The next 64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        state += Golden;
        return Mix(state);
    }

    /// <summary>A uniform number in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * UnitScale;

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong product = (NextUInt64() >> 32) * (uint)bound;
        uint low = (uint)product;
        if (low < (uint)bound)
        {
            uint threshold = (uint)-bound % (uint)bound;
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * (uint)bound;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>A standard normal number (Box-Muller; one of the pair is discarded to keep the generator stateless beyond its counter).</summary>
    public double NextGaussian()
    {
        double u1 = ((NextUInt64() >> 11) + 1) * UnitScale; // (0, 1]: the logarithm stays finite
        double u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A standard normal number conditioned on |z| &lt;= <paramref name="limit"/> (by rejection).</summary>
    public double NextTruncatedGaussian(double limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1.0);
        while (true)
        {
            double z = NextGaussian();
            if (Math.Abs(z) <= limit)
            {
                return z;
            }
        }
    }

    /// <summary>Shuffles <paramref name="items"/> uniformly (Fisher-Yates).</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
