namespace Diffusion.Runtime.Samplers;

/// <summary>
/// DDIM (Song, Meng &amp; Ermon 2021, eq. 12): x_s = alpha_s x0 + sqrt(sigma_s^2 - c^2) eps + c z with
/// c = eta * sqrt(posterior variance) (eq. 16). eta = 0 is deterministic; eta = 1 is DDPM.
/// </summary>
public sealed class DdimSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "ddim";

    /// <inheritdoc />
    public string Summary => "DDIM (Song et al. 2021); eta 0 deterministic, eta 1 as DDPM";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["eta"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        double eta = run.Settings.Eta ?? 0;
        float[] x = run.Sample, denoised = run.Scratch(0), noise = run.Scratch(1);
        for (int i = 0; i < run.Steps; i++)
        {
            var (t, s) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, t, denoised);
            double c = eta * Math.Sqrt(SamplerSteps.TransitionVariance(t, s)) * s.Sigma / t.Sigma;
            SamplerSteps.TowardsDenoised(x, denoised, t, s, Math.Sqrt(Math.Max(0, s.Sigma * s.Sigma - c * c)), x);
            if (c > 0)
            {
                run.DrawNoise(noise);
                SamplerSteps.AddScaled(x, noise, c);
            }
            run.CompleteStep(i);
        }
    }
}
