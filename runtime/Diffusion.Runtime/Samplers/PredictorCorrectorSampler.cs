namespace Diffusion.Runtime.Samplers;

/// <summary>
/// Predictor-corrector sampling of the reverse SDE (Song et al. 2021, Alg. 1-3), composed as
/// score_sde composes it: each step an <see cref="IPredictor"/> moves the sample to the next, less
/// noisy point, then an <see cref="ICorrector"/> (here <see cref="LangevinCorrector"/>) pulls it
/// towards p_t there. The last step into the clean point is the denoising step x = alpha D(x), without noise.
/// </summary>
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
        var predictor = Predictors.Get(run.Settings.Predictor);
        var corrector = new LangevinCorrector(run.Settings.Snr ?? DefaultSnr);
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
            predictor.Step(run, t, s, x, score, noise);
            corrector.Correct(run, s, run.Settings.CorrectorSteps, x, denoised, score, noise);
            run.CompleteStep(i);
        }
    }
}
