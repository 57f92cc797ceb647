namespace Diffusion.Runtime.Samplers;

/// <summary>
/// SDE-DPM-Solver++ multistep, orders 1-2 (Lu et al. 2022b, "DPM-Solver++", appendix; diffusers'
/// <c>sde-dpmsolver++</c>, k-diffusion's <c>sample_dpmpp_2m_sde</c>): the exponential integrator of
/// the reverse SDE in lambda = log(alpha/sigma),
/// x_t = (sigma_t/sigma_s) e^-h x_s + alpha_t (1 - e^-2h) D + sigma_t sqrt(1 - e^-2h) z, h = lambda_t - lambda_s,
/// with D corrected by the first difference of earlier outputs at second order.
/// </summary>
public sealed class DpmSolverSdeSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "dpmpp-sde";

    /// <inheritdoc />
    public string Summary => "SDE-DPM-Solver++ multistep (Lu et al. 2022), second order, stochastic, 1 evaluation per step";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["order", "solver-type", "lower-order-final", "euler-at-final"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        var settings = run.Settings;
        int order = settings.Order ?? 2;
        if (order > 2)
            throw new DiffusionRequestException($"the SDE variant of DPM-Solver++ has orders 1 and 2, got {order}.", "SamplerSettings.Order");
        bool heun = settings.SolverType == SolverType.Heun;
        bool lowerFinal = (settings.LowerOrderFinal ?? true) && run.Steps < 15;
        float[] x = run.Sample, m0 = run.Scratch(0), m1 = run.Scratch(1), noise = run.Scratch(2);
        for (int i = 0; i < run.Steps; i++)
        {
            (m0, m1) = (m1, m0);
            var (s, t) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, s, m0);
            int p = SamplerSteps.MultistepOrder(order, i, run.Steps, t, lowerFinal, settings.EulerAtFinal ?? false);
            if (t.Sigma == 0)
            {
                SamplerSteps.TowardsDenoised(x, m0, s, t, 0, x);
                run.CompleteStep(i);
                continue;
            }
            double h = SamplerSteps.Lambda(t) - SamplerSteps.Lambda(s), em = Math.Exp(-h), em2 = -double.ExpM1(-2 * h);
            double a = t.Sigma / s.Sigma * em, b = t.Alpha * em2;
            if (p == 1) SamplerSteps.Combine(x, a, m0, b, x);
            else
            {
                double c1 = heun ? t.Alpha * (em2 / (-2 * h) + 1) : 0.5 * b;
                double r0 = (SamplerSteps.Lambda(s) - SamplerSteps.Lambda(run.Path[i - 1])) / h;
                SamplerSteps.Combine(x, a, m0, b + c1 / r0, x);
                SamplerSteps.AddScaled(x, m1, -c1 / r0);
            }
            run.DrawNoise(noise);
            SamplerSteps.AddScaled(x, noise, t.Sigma * Math.Sqrt(em2));
            run.CompleteStep(i);
        }
    }
}
