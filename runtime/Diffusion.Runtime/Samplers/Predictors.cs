using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Samplers;

/// <summary>
/// A predictor of the predictor-corrector sampler (Song et al. 2021, Alg. 1): one step of a
/// numerical solver of the reverse SDE from <c>t</c> to the less noisy <c>s</c>, with the score at t given.
/// </summary>
public interface IPredictor
{
    /// <summary>The name <see cref="SamplerSettings.Predictor"/> picks it by.</summary>
    string Name { get; }

    /// <summary>Moves <paramref name="x"/> from <paramref name="t"/> to <paramref name="s"/>; <paramref name="noise"/> is scratch.</summary>
    void Step(SamplerRun run, TimePoint t, TimePoint s, float[] x, float[] score, float[] noise);
}

/// <summary>
/// A corrector of the predictor-corrector sampler (Song et al. 2021, Alg. 1): MCMC steps at a fixed
/// point that pull the sample towards p_t. Scratch buffers are the caller's.
/// </summary>
public interface ICorrector
{
    /// <summary>Corrects <paramref name="x"/> at <paramref name="point"/> with <paramref name="steps"/> steps.</summary>
    void Correct(SamplerRun run, TimePoint point, int steps, float[] x, float[] denoised, float[] score, float[] noise);
}

/// <summary>The predictors, by name, as score_sde registers them.</summary>
public static class Predictors
{
    private static readonly IPredictor[] All = [new ReverseDiffusionPredictor(), new EulerMaruyamaPredictor()];

    /// <summary>The predictor called <paramref name="name"/>, or an error listing the names.</summary>
    public static IPredictor Get(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new DiffusionRequestException($"unknown predictor '{name}': use {string.Join(" or ", All.Select(p => p.Name))}.", "SamplerSettings.Predictor");
}

/// <summary>
/// The reverse-diffusion predictor (Song et al. 2021, eq. 46-47): with the exact forward transition
/// between the two points, x_t = a x_s + b z with a = alpha_t/alpha_s and b^2 = sigma_t^2 - a^2 sigma_s^2,
/// x_s = (2 - a) x_t + b^2 score + b z.
/// </summary>
public sealed class ReverseDiffusionPredictor : IPredictor
{
    /// <inheritdoc />
    public string Name => "reverse_diffusion";

    /// <inheritdoc />
    public void Step(SamplerRun run, TimePoint t, TimePoint s, float[] x, float[] score, float[] noise)
    {
        double a = t.Alpha / s.Alpha, b2 = SamplerSteps.TransitionVariance(t, s);
        run.DrawNoise(noise);
        SamplerSteps.Combine(x, 2 - a, score, b2, x);
        SamplerSteps.AddScaled(x, noise, Math.Sqrt(b2));
    }
}

/// <summary>
/// Euler-Maruyama on the reverse SDE dx = [f x - g^2 score] dt + g dW, integrated backwards with the
/// schedule's SDE coefficients (Song et al. 2021, eq. 6).
/// </summary>
public sealed class EulerMaruyamaPredictor : IPredictor
{
    /// <inheritdoc />
    public string Name => "euler_maruyama";

    /// <inheritdoc />
    public void Step(SamplerRun run, TimePoint t, TimePoint s, float[] x, float[] score, float[] noise)
    {
        double dt = s.Time - t.Time; // negative: time runs backwards
        var (f, g2) = run.Schedule.SdeCoefficients(t.Time);
        run.DrawNoise(noise);
        SamplerSteps.Combine(x, 1 + f * dt, score, -g2 * dt, x);
        SamplerSteps.AddScaled(x, noise, Math.Sqrt(g2 * -dt));
    }
}

/// <summary>
/// Langevin corrector (Song et al. 2021, Alg. 4-5): <see cref="Langevin.Step"/> with epsilon =
/// 2 r (snr |z| / |score|)^2, r the one-training-step signal, and the norms at their expected values
/// |z| = sqrt(D), |score| = sqrt(D)/sigma, so epsilon = 2 r (snr sigma)^2. The paper's code measures
/// the norms over the batch, which makes a sample depend on its batch; measured per sample, the step
/// depends on the state, which is no longer a valid Langevin chain (tested).
/// </summary>
public sealed class LangevinCorrector(double snr) : ICorrector
{
    /// <summary>The signal-to-noise ratio r of Alg. 4-5.</summary>
    public double Snr { get; } = snr;

    /// <inheritdoc />
    public void Correct(SamplerRun run, TimePoint point, int steps, float[] x, float[] denoised, float[] score, float[] noise)
    {
        double epsilon = 2 * run.Schedule.OneStepSignal(point.Time) * Math.Pow(Snr * point.Sigma, 2);
        for (int j = 0; j < steps; j++) Langevin.Step(run, point, 2 * epsilon, x, denoised, score, noise);
    }
}
