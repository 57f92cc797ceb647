namespace Diffusion.Runtime.Samplers;

/// <summary>
/// Predictor-corrector sampling of the reverse SDE (Song et al. 2021, Alg. 1-3): each step a
/// predictor moves the sample to the next, less noisy point, then Langevin corrector steps at that
/// point pull it towards p_t. The last step into the clean point is the denoising step
/// x = alpha D(x), without noise.
/// </summary>
/// <remarks>
/// Predictors: "reverse_diffusion" uses the exact forward transition between the two points,
/// x_t = a x_s + b z with a = alpha_t/alpha_s and b^2 = sigma_t^2 - a^2 sigma_s^2, and steps
/// x_s = (2 - a) x_t + b^2 score + b z (Song et al. 2021, eq. 46-47); "euler_maruyama" integrates
/// dx = [f x - g^2 score] dt + g dW backwards with the schedule's SDE coefficients.
/// The corrector's step follows the paper's rule 2 r (snr |z| / |score|)^2 with r the
/// one-training-step signal (Alg. 4-5), with the norms at their expected values:
/// |z| = sqrt(D) and, since score = -eps / sigma, |score| = sqrt(D) / sigma, so the step is
/// 2 r (snr sigma)^2. The paper's code averages the measured norms over the batch, which makes a
/// sample depend on its batch; measuring them per sample makes the step depend on the state,
/// which is no longer a valid Langevin chain and visibly shifts the mixture's weights in low
/// dimensions (tested).
/// </remarks>
public sealed class PredictorCorrectorSampler : ISampler
{
    /// <summary>Corrector signal-to-noise ratio when neither the options nor the config give one.</summary>
    public const double DefaultSnr = 0.16;

    /// <inheritdoc />
    public string Name => "pc";

    /// <inheritdoc />
    public string Summary => "reverse-SDE predictor-corrector (Song et al. 2021): reverse-diffusion or Euler-Maruyama predictor, Langevin corrector";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["predictor", "snr", "corrector-steps"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps + (steps - 1) * settings.CorrectorSteps;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        bool eulerMaruyama = run.Settings.Predictor == "euler_maruyama";
        double snr = run.Settings.Snr ?? DefaultSnr;
        float[] x = run.Sample, denoised = run.Scratch(0), score = run.Scratch(1), noise = run.Scratch(2);
        for (int i = 0; i < run.Steps; i++)
        {
            var (t, s) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, t, denoised);
            if (i == run.Steps - 1)
            {
                SamplerSteps.TowardsDenoised(x, denoised, t, s, s.Sigma, x);
                run.CompleteStep(i);
                break;
            }
            SamplerSteps.Score(x, denoised, t, score);
            run.DrawNoise(noise);
            if (eulerMaruyama)
            {
                double dt = s.Time - t.Time; // negative: time runs backwards
                var (f, g2) = run.Schedule.SdeCoefficients(t.Time);
                SamplerSteps.Combine(x, 1 + f * dt, score, -g2 * dt, x);
                SamplerSteps.AddScaled(x, noise, Math.Sqrt(g2 * -dt));
            }
            else
            {
                double a = t.Alpha / s.Alpha, b2 = SamplerSteps.TransitionVariance(t, s);
                SamplerSteps.Combine(x, 2 - a, score, b2, x);
                SamplerSteps.AddScaled(x, noise, Math.Sqrt(b2));
            }
            for (int j = 0; j < run.Settings.CorrectorSteps; j++) LangevinCorrect(run, s, snr, x, denoised, score, noise);
            run.CompleteStep(i);
        }
    }

    private static void LangevinCorrect(SamplerRun run, Schedules.TimePoint point, double snr,
        float[] x, float[] denoised, float[] score, float[] noise)
    {
        run.Denoise(x, point, denoised);
        SamplerSteps.Score(x, denoised, point, score);
        run.DrawNoise(noise);
        double step = 2 * run.Schedule.OneStepSignal(point.Time) * Math.Pow(snr * point.Sigma, 2);
        SamplerSteps.AddScaled(x, score, step);
        SamplerSteps.AddScaled(x, noise, Math.Sqrt(2 * step));
    }
}
