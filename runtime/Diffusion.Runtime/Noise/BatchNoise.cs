namespace Diffusion.Runtime.Noise;

/// <summary>
/// The noise of one batch: sample i of the generation draws only from its own stream, seeded by
/// (seed, i), so a sample is the same whichever batch it is generated in.
/// </summary>
public sealed class BatchNoise : INoiseSource
{
    private readonly GaussianStream[] _streams;
    private readonly int _sampleSize;

    /// <summary>Streams for samples <paramref name="firstSample"/> .. firstSample + count - 1.</summary>
    public BatchNoise(ulong seed, long firstSample, int count, int sampleSize)
    {
        _streams = new GaussianStream[count];
        for (int i = 0; i < count; i++) _streams[i] = new GaussianStream(seed, firstSample + i);
        _sampleSize = sampleSize;
    }

    /// <summary>Fills a whole batch: each sample's slice from its own stream.</summary>
    public void Fill(Span<float> batch)
    {
        if (batch.Length != _streams.Length * _sampleSize)
            throw new ArgumentException($"batch buffer has {batch.Length} values, expected {_streams.Length} x {_sampleSize}.");
        for (int i = 0; i < _streams.Length; i++) _streams[i].Fill(batch.Slice(i * _sampleSize, _sampleSize));
    }
}
