using System.Numerics.Tensors;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Denoising;

/// <summary>
/// Classifier-free guidance (Ho &amp; Salimans 2022, eq. 6) over a denoiser of twice the batch whose
/// first half is conditioned on the requested labels and second half on the null label, so both
/// branches run in one model call: D = D_uncond + w (D_cond - D_uncond). x0 is affine in eps for
/// fixed x, so mixing the x0 estimates equals mixing the noise predictions. w = 1 is the
/// conditional model, w = 0 the unconditional one, w &gt; 1 sharpens towards the class.
/// </summary>
public sealed class ClassifierFreeGuidance : IDenoiser
{
    private readonly IDenoiser _inner;
    private readonly float _scale;
    private readonly float[] _doubledInput;
    private readonly float[] _doubledOutput;

    /// <summary>Wraps <paramref name="pairedDenoiser"/>, which takes 2 x <paramref name="batchValues"/> values per call.</summary>
    public ClassifierFreeGuidance(IDenoiser pairedDenoiser, int batchValues, double scale)
    {
        _inner = pairedDenoiser;
        _scale = (float)scale;
        _doubledInput = new float[2 * batchValues];
        _doubledOutput = new float[2 * batchValues];
    }

    /// <inheritdoc />
    public void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised)
    {
        int n = x.Length;
        x.CopyTo(_doubledInput);
        x.CopyTo(_doubledInput.AsSpan(n));
        _inner.Denoise(_doubledInput, point, _doubledOutput);
        ReadOnlySpan<float> conditional = _doubledOutput.AsSpan(0, n), unconditional = _doubledOutput.AsSpan(n, n);
        TensorPrimitives.Subtract(conditional, unconditional, denoised);
        TensorPrimitives.MultiplyAdd(denoised, _scale, unconditional, denoised);
    }

    /// <inheritdoc />
    public void Dispose() => _inner.Dispose();
}
