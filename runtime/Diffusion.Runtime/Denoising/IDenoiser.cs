using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Denoising;

/// <summary>
/// The one interface samplers call: given a batch of noisy samples at a point of the noise
/// process, estimate the clean samples x0 (the denoiser D(x; sigma) of Karras et al. 2022).
/// Epsilon and score follow from it: eps = (x - alpha D) / sigma, score = (alpha D - x) / sigma^2.
/// </summary>
/// <remarks>
/// A denoiser serves one generation at a time (it may own buffers sized for its batch); create
/// one per concurrent generation. Implementations: the ONNX model adapter, the exact
/// Gaussian-mixture denoiser of the tests, the libtorch model of the trainer.
/// </remarks>
public interface IDenoiser : IDisposable
{
    /// <summary>Writes the estimate of x0 for every sample of <paramref name="x"/> into <paramref name="denoised"/>.</summary>
    /// <param name="x">Noisy samples, [batch, C, H, W] flattened.</param>
    /// <param name="point">Where on the noise process the samples are.</param>
    /// <param name="denoised">Destination, same length as <paramref name="x"/>.</param>
    void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised);
}
