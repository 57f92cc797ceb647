namespace Diffusion.Runtime.Samplers;

/// <summary>
/// Annealed Langevin dynamics (Song &amp; Ermon 2019, Alg. 1): at each noise level sigma_i of the
/// path, T steps x = x + (a_i/2) score + sqrt(a_i) z with a_i = c sigma_i^2; then the denoising step
/// x = alpha D(x) onto the clean point (Jolicoeur-Martineau et al. 2021; Song &amp; Ermon 2020).
/// </summary>
/// <remarks>
/// The paper writes a_i = epsilon sigma_i^2 / sigma_L^2 with sigma_L its smallest level; here the
/// path, and so sigma_L, is the user's choice, so the step is given as c = epsilon / sigma_L^2
/// (<see cref="SamplerSettings.StepSize"/>; the paper's epsilon = 2e-5 with sigma_L = 0.01 is c = 0.2).
/// </remarks>
public sealed class AnnealedLangevinSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "langevin";

    /// <inheritdoc />
    public string Summary => "annealed Langevin dynamics (NCSN, Song & Ermon 2019), then a final denoising step";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["langevin-steps", "step-size"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps * settings.LangevinSteps + 1;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        float[] x = run.Sample, denoised = run.Scratch(0), score = run.Scratch(1), noise = run.Scratch(2);
        for (int i = 0; i < run.Steps; i++)
        {
            var level = run.Path[i];
            double step = run.Settings.StepSize * level.Sigma * level.Sigma;
            for (int j = 0; j < run.Settings.LangevinSteps; j++) Langevin.Step(run, level, step, x, denoised, score, noise);
            if (i == run.Steps - 1)
            {
                run.Denoise(x, level, denoised);
                var clean = run.Path[i + 1];
                SamplerSteps.TowardsDenoised(x, denoised, level, clean, clean.Sigma, x);
            }
            run.CompleteStep(i);
        }
    }
}
