namespace Diffusion.Runtime.Noise;

/// <summary>
/// A seeded stream of standard normal numbers: xoshiro256** (Blackman &amp; Vigna) for uniforms and
/// the Box-Muller transform for normals. The uniform fed to the logarithm lies in (0, 1], so the
/// stream never yields an infinity (|z| &lt;= sqrt(2 * 53 ln 2) ~ 8.57).
/// </summary>
public struct GaussianStream
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>The stream of sample <paramref name="index"/> under <paramref name="seed"/>: it depends on nothing else.</summary>
    public GaussianStream(ulong seed, long index)
    {
        ulong mix = seed ^ (0x9E3779B97F4A7C15UL * (ulong)(index + 1));
        _s0 = SplitMix(ref mix); _s1 = SplitMix(ref mix); _s2 = SplitMix(ref mix); _s3 = SplitMix(ref mix);
        _spare = 0;
        _hasSpare = false;
    }

    /// <summary>The next standard normal number.</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53)); // (0, 1]
        double u2 = (NextUInt64() >> 11) * (1.0 / (1UL << 53));       // [0, 1)
        double r = Math.Sqrt(-2 * Math.Log(u1));
        (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
        _spare = r * sin;
        _hasSpare = true;
        return r * cos;
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal numbers.</summary>
    public void Fill(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)NextGaussian();
    }

    private ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
