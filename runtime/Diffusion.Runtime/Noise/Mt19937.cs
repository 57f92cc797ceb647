namespace Diffusion.Runtime.Noise;

/// <summary>
/// The 32-bit Mersenne Twister MT19937 (Matsumoto &amp; Nishimura 1998), seeded with their
/// <c>init_genrand</c>: the engine behind torch's CPU generator.
/// </summary>
internal sealed class Mt19937
{
    private const int N = 624, M = 397;
    private const uint MatrixA = 0x9908B0DF, UpperBit = 0x80000000, LowerBits = 0x7FFFFFFF;
    private readonly uint[] _state = new uint[N];
    private int _next = N;

    /// <summary>The engine seeded with <paramref name="seed"/>.</summary>
    public Mt19937(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < N; i++) _state[i] = 1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
    }

    /// <summary>The next 32 random bits.</summary>
    public uint Next()
    {
        if (_next == N) Regenerate();
        uint y = _state[_next++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680;
        y ^= (y << 15) & 0xEFC60000;
        return y ^ (y >> 18);
    }

    /// <summary>The next N words of state, computed in place (the word at i + M is already new once i + M wraps).</summary>
    private void Regenerate()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_state[i] & UpperBit) | (_state[(i + 1) % N] & LowerBits);
            _state[i] = _state[(i + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0);
        }
        _next = 0;
    }
}
