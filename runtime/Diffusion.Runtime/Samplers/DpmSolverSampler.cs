namespace Diffusion.Runtime.Samplers;

/// <summary>
/// DPM-Solver++ multistep, orders 1-3 (Lu et al. 2022b, "DPM-Solver++", Alg. 2 and its third-order
/// extension): an exponential integrator of the probability-flow ODE in lambda = log(alpha/sigma)
/// with the data prediction D, x_t = (sigma_t/sigma_s) x_s + alpha_t (1 - e^-h) D_s + (higher
/// differences of earlier D), h = lambda_t - lambda_s (eq. 9). Order 1 is deterministic DDIM.
/// Each step is one model evaluation; earlier outputs are kept in the run's scratch buffers.
/// </summary>
/// <remarks>
/// Orders 1 and 2 match diffusers' DPMSolverMultistepScheduler (its published test values are
/// reproduced); order 3 weighs the second difference by its Taylor coefficient, twice diffusers' weight,
/// so a <c>solver_order</c> 3 config samples differently here (see the note in the loop).
/// </remarks>
public sealed class DpmSolverSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "dpmpp";

    /// <inheritdoc />
    public string Summary => "DPM-Solver++ multistep (Lu et al. 2022), orders 1-3, 1 evaluation per step";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["order", "solver-type", "lower-order-final", "euler-at-final"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        var settings = run.Settings;
        int order = settings.Order ?? 2;
        bool heun = settings.SolverType == SolverType.Heun;
        // diffusers lowers the final orders only below 15 steps.
        bool lowerFinal = (settings.LowerOrderFinal ?? true) && run.Steps < 15;
        float[] x = run.Sample, m0 = run.Scratch(0), m1 = run.Scratch(1), m2 = run.Scratch(2);
        for (int i = 0; i < run.Steps; i++)
        {
            (m0, m1, m2) = (m2, m0, m1); // m1, m2: the outputs of the two previous steps
            run.Denoise(x, run.Path[i], m0);
            int p = SamplerSteps.MultistepOrder(order, i, run.Steps, run.Path[i + 1], lowerFinal, settings.EulerAtFinal ?? false);
            DpmSolverStep.Advance(run.Path, i, p, heun, eta: 0, x, m0, m1, m2); // order 1 is DDIM
            run.CompleteStep(i);
        }
    }
}
