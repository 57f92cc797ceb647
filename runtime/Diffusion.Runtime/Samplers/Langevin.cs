using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Samplers;

/// <summary>
/// The one Langevin step every Langevin method here takes (Song &amp; Ermon 2019, Alg. 1, line 6;
/// Song et al. 2021, Alg. 4-5): x = x + (step/2) grad log p(x) + sqrt(step) z at a fixed noise level.
/// Annealed Langevin dynamics and the predictor-corrector sampler's corrector both call it.
/// </summary>
internal static class Langevin
{
    /// <summary>
    /// One step at <paramref name="point"/> with step size <paramref name="step"/> (the epsilon of
    /// Song &amp; Ermon's Alg. 1; Song et al.'s corrector step is epsilon = step / 2): one model evaluation.
    /// <paramref name="denoised"/>, <paramref name="score"/> and <paramref name="noise"/> are scratch buffers.
    /// </summary>
    public static void Step(SamplerRun run, TimePoint point, double step, float[] x, float[] denoised, float[] score, float[] noise)
    {
        run.Denoise(x, point, denoised);
        SamplerSteps.Score(x, denoised, point, score);
        run.DrawNoise(noise);
        SamplerSteps.AddScaled(x, score, step / 2);
        SamplerSteps.AddScaled(x, noise, Math.Sqrt(step));
    }
}
