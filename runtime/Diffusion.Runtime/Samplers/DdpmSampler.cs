namespace Diffusion.Runtime.Samplers;

/// <summary>
/// DDPM's ancestral sampler (Ho et al. 2020, Alg. 2), for any path: each step samples the
/// Gaussian posterior q(x_s | x_t, x0) with x0 from the model. Mean
/// (alpha_ts sigma_s^2 x_t + alpha_s sigma_ts^2 x0) / sigma_t^2 (Kingma et al. 2021, eq. 33); variance
/// sigma_ts^2 sigma_s^2 / sigma_t^2 ("fixed_small") or sigma_ts^2 ("fixed_large", beta_t in DDPM).
/// </summary>
public sealed class DdpmSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "ddpm";

    /// <inheritdoc />
    public string Summary => "DDPM ancestral sampling (Ho et al. 2020), posterior noise at every step";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["variance"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        bool large = run.Settings.VarianceType == "fixed_large";
        float[] x = run.Sample, denoised = run.Scratch(0), noise = run.Scratch(1);
        for (int i = 0; i < run.Steps; i++)
        {
            var (t, s) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, t, denoised);
            double transition = SamplerSteps.TransitionVariance(t, s), sigmaT2 = t.Sigma * t.Sigma;
            SamplerSteps.Combine(x, t.Alpha / s.Alpha * s.Sigma * s.Sigma / sigmaT2, denoised, s.Alpha * transition / sigmaT2, x);
            if (i < run.Steps - 1)
            {
                double variance = large ? transition : transition * s.Sigma * s.Sigma / sigmaT2;
                run.DrawNoise(noise);
                SamplerSteps.AddScaled(x, noise, Math.Sqrt(variance));
            }
            run.CompleteStep(i);
        }
    }
}
