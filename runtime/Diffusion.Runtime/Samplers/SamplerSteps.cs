using System.Numerics.Tensors;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Samplers;

/// <summary>
/// The update formulas samplers share, on whole batches, allocation-free: public so a sampler
/// written outside the library (any <see cref="ISampler"/>) can use them.
/// </summary>
public static class SamplerSteps
{
    /// <summary>destination = a x + b y (destination may be x or y itself).</summary>
    public static void Combine(ReadOnlySpan<float> x, double a, ReadOnlySpan<float> y, double b, Span<float> destination)
    {
        if (((ReadOnlySpan<float>)destination).Overlaps(y))
        {
            TensorPrimitives.Multiply(y, (float)b, destination);
            TensorPrimitives.MultiplyAdd(x, (float)a, destination, destination);
        }
        else
        {
            TensorPrimitives.Multiply(x, (float)a, destination);
            TensorPrimitives.MultiplyAdd(y, (float)b, destination, destination);
        }
    }

    /// <summary>destination += scale * noise.</summary>
    public static void AddScaled(Span<float> destination, ReadOnlySpan<float> noise, double scale) =>
        TensorPrimitives.MultiplyAdd(noise, (float)scale, destination, destination);

    /// <summary>
    /// The deterministic DDIM step with noise share <paramref name="keptNoise"/> (Song et al. 2021,
    /// eq. 12 without its random term): x_to = alpha_to x0 + keptNoise * eps, eps = (x - alpha_from x0) / sigma_from.
    /// With keptNoise = sigma_to this is Euler's method on the probability-flow ODE in x/alpha and
    /// sigma/alpha (Karras et al. 2022, eq. 4 and Alg. 1), and it lands on x0 when sigma_to = 0.
    /// </summary>
    public static void TowardsDenoised(ReadOnlySpan<float> x, ReadOnlySpan<float> denoised, TimePoint from, TimePoint to,
        double keptNoise, Span<float> destination)
    {
        double k = keptNoise / from.Sigma;
        Combine(x, k, denoised, to.Alpha - k * from.Alpha, destination);
    }

    /// <summary>score = (alpha x0 - x) / sigma^2, written into <paramref name="destination"/>.</summary>
    public static void Score(ReadOnlySpan<float> x, ReadOnlySpan<float> denoised, TimePoint point, Span<float> destination)
    {
        double inv = 1 / (point.Sigma * point.Sigma);
        Combine(denoised, point.Alpha * inv, x, -inv, destination);
    }

    /// <summary>
    /// Variance of the forward transition from <paramref name="to"/> to the noisier <paramref name="from"/>:
    /// sigma_from^2 - (alpha_from/alpha_to)^2 sigma_to^2 (Kingma et al. 2021, eq. 34); beta_t for one DDPM step.
    /// </summary>
    public static double TransitionVariance(TimePoint from, TimePoint to)
    {
        double a = from.Alpha / to.Alpha;
        return Math.Max(0, from.Sigma * from.Sigma - a * a * to.Sigma * to.Sigma);
    }
}
