namespace Diffusion.Runtime.Noise;

/// <summary>
/// Torch's CPU random-number generator, reproduced: <c>new TorchGenerator(s)</c> then
/// <see cref="Fill"/> gives what <c>torch.manual_seed(s)</c> then <c>torch.randn(n)</c> (float32,
/// CPU) gives, and successive fills continue the stream as successive <c>randn</c> calls on one
/// generator do. This is the noise a diffusers pipeline draws with <c>torch.manual_seed</c>.
/// </summary>
/// <remarks>
/// The facts reproduced (PyTorch's CPUGeneratorImpl and its CPU normal kernel): an MT19937 engine
/// seeded with the low 32 bits of the seed; a float uniform is a 32-bit draw masked to 24 bits times
/// 2^-24, a double uniform two draws (the first the high word) masked to 53 bits times 2^-53. A fill of
/// 16 values or more draws every uniform first, then applies Box-Muller in float to each chunk of 16:
/// for j &lt; 8, r = sqrt(-2 ln(1 - u[j])), theta = 2 pi u[j + 8], z[j] = r cos theta and z[j + 8] = r sin theta;
/// when the count is not a multiple of 16, the last 16 values are drawn again and transformed again.
/// A fill of fewer than 16 values takes each value from a double Box-Muller pair, the sine half kept
/// for the next value. These values equal those of torch's portable kernel bit for bit (tested against
/// libtorch 1.13.1). On CPUs with AVX2, torch evaluates log, sin and cos with its own vector approximations,
/// so its values there differ from these (and from its own portable kernel) by up to about 1e-6.
/// </remarks>
public sealed class TorchGenerator : INoiseSource
{
    private const int Chunk = 16;
    private readonly Mt19937 _engine;
    private double? _spareNormal;

    /// <summary>The generator <c>torch.manual_seed(<paramref name="seed"/>)</c> makes (only the low 32 bits count).</summary>
    public TorchGenerator(ulong seed) => _engine = new Mt19937((uint)seed);

    /// <summary>The next float uniform in [0, 1), as <c>torch.rand</c> draws it: 24 random bits times 2^-24.</summary>
    public float NextFloat() => (_engine.Next() & 0xFFFFFF) * (1f / (1 << 24));

    /// <summary>The next double uniform in [0, 1): 53 random bits of two draws times 2^-53.</summary>
    public double NextDouble()
    {
        ulong high = _engine.Next(), low = _engine.Next();
        return (((high << 32) | low) & ((1UL << 53) - 1)) * (1.0 / (1UL << 53));
    }

    /// <summary>Fills <paramref name="batch"/> as <c>torch.randn</c> of that many float32 values would.</summary>
    public void Fill(Span<float> batch)
    {
        if (batch.Length < Chunk)
        {
            for (int i = 0; i < batch.Length; i++) batch[i] = (float)NextNormal();
            return;
        }
        FillUniform(batch);
        for (int i = 0; i + Chunk <= batch.Length; i += Chunk) BoxMuller(batch.Slice(i, Chunk));
        if (batch.Length % Chunk != 0)
        {
            var last = batch[^Chunk..];
            FillUniform(last);
            BoxMuller(last);
        }
    }

    private void FillUniform(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = NextFloat();
    }

    /// <summary>Sixteen uniforms into sixteen normals, in float as torch computes them (theta rounded from double).</summary>
    private static void BoxMuller(Span<float> chunk)
    {
        for (int j = 0; j < Chunk / 2; j++)
        {
            float u1 = 1 - chunk[j], u2 = chunk[j + Chunk / 2];
            float radius = MathF.Sqrt(-2 * MathF.Log(u1));
            float theta = (float)(2.0 * Math.PI * u2);
            chunk[j] = radius * MathF.Cos(theta);
            chunk[j + Chunk / 2] = radius * MathF.Sin(theta);
        }
    }

    /// <summary>One normal of torch's double sampler: a Box-Muller pair, the sine half kept for the next call.</summary>
    private double NextNormal()
    {
        if (_spareNormal is { } spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u1 = NextDouble(), u2 = NextDouble();
        double radius = Math.Sqrt(-2 * Math.Log(1 - u2));
        double theta = 2 * Math.PI * u1;
        _spareNormal = radius * Math.Sin(theta);
        return radius * Math.Cos(theta);
    }
}
