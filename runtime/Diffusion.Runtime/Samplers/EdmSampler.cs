namespace Diffusion.Runtime.Samplers;

/// <summary>
/// EDM's stochastic sampler (Karras et al. 2022, Alg. 2), in the rescaled variables y = x/alpha and
/// s = sigma/alpha (their eq. 4 with s(t) = alpha): at each level s_i within [S_tmin, S_tmax] the
/// sample is first noised up to s_hat = s_i (1 + gamma), gamma = min(S_churn / N, sqrt 2 - 1), with
/// noise of standard deviation S_noise sqrt(s_hat^2 - s_i^2) (lines 4-6), then a Heun step takes it
/// from s_hat to s_{i+1} (lines 7-11). S_churn = 0 is the deterministic Heun sampler (Alg. 1).
/// </summary>
/// <remarks>
/// s_hat is capped at the schedule's largest noise level, where the model was trained. A model with an
/// integer timestep input is churned to the whole time nearest s_hat (<see cref="SamplerRun.PointAt"/>), so the
/// noise added and the level the model is told agree.
/// </remarks>
public sealed class EdmSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "edm";

    /// <inheritdoc />
    public string Summary => "EDM stochastic sampler (Karras et al. 2022, Alg. 2): churn noise, then a Heun step";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["s-churn", "s-tmin", "s-tmax", "s-noise"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => 2 * steps - 1;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        var settings = run.Settings;
        double gammaMax = Math.Min(settings.SChurn / run.Steps, Math.Sqrt(2) - 1);
        float[] x = run.Sample, denoised = run.Scratch(0), euler = run.Scratch(1), denoisedAtEnd = run.Scratch(2), noise = run.Scratch(3);
        for (int i = 0; i < run.Steps; i++)
        {
            var (t, s) = (run.Path[i], run.Path[i + 1]);
            double level = t.ScaledSigma;
            double gamma = level >= settings.STMin && level <= settings.STMax ? gammaMax : 0;
            double hatLevel = Math.Min(level * (1 + gamma), run.Schedule.MaxScaledSigma);
            // On the nearest whole time for a model that takes only those, so alpha and sigma are the ones it sees.
            var hat = hatLevel > level ? run.PointAt(hatLevel) : t;
            if (hat.ScaledSigma > level)
            {
                // y_hat = y + S_noise sqrt(s_hat^2 - s^2) z (line 6); x_hat = alpha_hat y_hat.
                run.DrawNoise(noise);
                SamplerSteps.Combine(x, hat.Alpha / t.Alpha, noise, hat.Alpha * settings.SNoise * Math.Sqrt(Math.Max(0, hat.ScaledSigma * hat.ScaledSigma - level * level)), x);
                t = hat;
            }
            run.Denoise(x, t, denoised);
            SamplerSteps.Heun(run, x, denoised, t, s, euler, denoisedAtEnd);
            run.CompleteStep(i);
        }
    }
}
