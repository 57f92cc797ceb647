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

    /// <summary>
    /// The ancestral split of a step between scaled sigmas <paramref name="from"/> and <paramref name="to"/>
    /// (sigma/alpha): a deterministic move down to <c>Down</c> and fresh noise of standard deviation <c>Up</c>,
    /// Up^2 = eta^2 to^2 (from^2 - to^2) / from^2 (at most to) and Down^2 = to^2 - Up^2, so the marginal at
    /// <paramref name="to"/> is kept (k-diffusion's <c>get_ancestral_step</c>). eta = 0 is the deterministic step.
    /// </summary>
    public static (double Down, double Up) AncestralSplit(double from, double to, double eta)
    {
        double up = Math.Min(to, eta * Math.Sqrt(Math.Max(0, to * to * (from * from - to * to) / (from * from))));
        return (Math.Sqrt(Math.Max(0, to * to - up * up)), up);
    }

    /// <summary>score = (alpha x0 - x) / sigma^2, written into <paramref name="destination"/>.</summary>
    public static void Score(ReadOnlySpan<float> x, ReadOnlySpan<float> denoised, TimePoint point, Span<float> destination)
    {
        double inv = 1 / (point.Sigma * point.Sigma);
        Combine(denoised, point.Alpha * inv, x, -inv, destination);
    }

    /// <summary>
    /// Half the log signal-to-noise ratio, lambda = log(alpha / sigma) (Lu et al. 2022, DPM-Solver,
    /// sec. 3.1); +infinity at the clean point.
    /// </summary>
    public static double Lambda(TimePoint point) => Math.Log(point.Alpha) - Math.Log(point.Sigma);

    /// <summary>
    /// The order a multistep solver of <paramref name="order"/> may use at step <paramref name="index"/>
    /// of <paramref name="steps"/>: no more than the outputs it has seen (warm-up), first order into
    /// sigma = 0 (its higher differences divide by h = infinity), and lower orders over the last steps
    /// when <paramref name="lowerFinalSteps"/> (diffusers' lower_order_final).
    /// </summary>
    public static int MultistepOrder(int order, int index, int steps, TimePoint next, bool lowerFinalSteps, bool eulerAtFinal = false)
    {
        int p = Math.Min(order, index + 1);
        if (next.Sigma == 0 || (eulerAtFinal && index == steps - 1)) return 1;
        return lowerFinalSteps ? Math.Min(p, steps - index) : p;
    }

    /// <summary>
    /// One step of Heun's method on the probability-flow ODE from <paramref name="t"/> to <paramref name="s"/>
    /// (Karras et al. 2022, Alg. 1 lines 4-8), with D(x; t) already in <paramref name="denoised"/>:
    /// in y = x/alpha and the scaled sigma, y_s = y_t + h (d_t + d_s) / 2 with d = (y - D)/sigma;
    /// an Euler step when s is the clean point. <paramref name="euler"/> and <paramref name="denoisedAtEnd"/>
    /// are scratch buffers.
    /// </summary>
    public static void Heun(SamplerRun run, float[] x, float[] denoised, TimePoint t, TimePoint s, float[] euler, float[] denoisedAtEnd)
    {
        if (s.Sigma == 0)
        {
            TowardsDenoised(x, denoised, t, s, 0, x);
            return;
        }
        TowardsDenoised(x, denoised, t, s, s.Sigma, euler);
        run.Denoise(euler, s, denoisedAtEnd);
        // y_s = y_t + h (d_t + d_s) / 2 with h = s_s - s_t; multiplied out in x:
        double h = s.ScaledSigma - t.ScaledSigma, ht = h / (2 * t.ScaledSigma), hs = h / (2 * s.ScaledSigma);
        Combine(euler, hs, denoisedAtEnd, -hs * s.Alpha, euler);            // alpha_s * h d_s / 2
        Combine(x, s.Alpha / t.Alpha * (1 + ht), denoised, -ht * s.Alpha, x); // alpha_s * (y_t + h d_t / 2)
        AddScaled(x, euler, 1);
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
