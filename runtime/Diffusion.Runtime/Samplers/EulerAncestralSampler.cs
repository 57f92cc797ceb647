namespace Diffusion.Runtime.Samplers;

/// <summary>
/// Euler ancestral: in the rescaled variables y = x/alpha, s = sigma/alpha, each step splits the
/// move from s to s' into a deterministic Euler step down to s_down and fresh noise of standard
/// deviation s_up, with s_up^2 = eta^2 s'^2 (s^2 - s'^2) / s^2 and s_down^2 = s'^2 - s_up^2, so the
/// marginal at s' is kept (the ancestral step of Ho et al. 2020, written as in k-diffusion's
/// <c>get_ancestral_step</c>; Karras et al. 2022, eq. 6 for the Euler part). eta = 0 is Euler.
/// </summary>
public sealed class EulerAncestralSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "euler-ancestral";

    /// <inheritdoc />
    public string Summary => "Euler ancestral (k-diffusion): an Euler step and fresh noise each step, eta 1 by default";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["eta"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        double eta = run.Settings.Eta ?? 1;
        float[] x = run.Sample, denoised = run.Scratch(0), noise = run.Scratch(1);
        for (int i = 0; i < run.Steps; i++)
        {
            var (t, s) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, t, denoised);
            var (down, up) = SamplerSteps.AncestralSplit(t.ScaledSigma, s.ScaledSigma, eta);
            // y' = D + down (y - D)/s, then + up z; in x = alpha y the kept noise is alpha' down.
            SamplerSteps.TowardsDenoised(x, denoised, t, s, s.Alpha * down, x);
            if (up > 0)
            {
                run.DrawNoise(noise);
                SamplerSteps.AddScaled(x, noise, s.Alpha * up);
            }
            run.CompleteStep(i);
        }
    }
}
