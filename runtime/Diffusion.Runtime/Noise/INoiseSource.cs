namespace Diffusion.Runtime.Noise;

/// <summary>
/// Where a sampler's random numbers come from: each call fills a whole batch with the next standard
/// normal values. <see cref="BatchNoise"/> gives every sample its own seeded stream;
/// <see cref="TorchGenerator"/> reproduces torch's CPU generator over the whole batch.
/// </summary>
public interface INoiseSource
{
    /// <summary>Fills <paramref name="batch"/> ([batch, C, H, W] flattened) with the next standard normal values.</summary>
    void Fill(Span<float> batch);
}
