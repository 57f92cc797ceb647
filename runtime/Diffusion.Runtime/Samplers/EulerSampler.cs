namespace Diffusion.Runtime.Samplers;

/// <summary>
/// Euler's method on the probability-flow ODE (Song et al. 2021, eq. 13), taken in the rescaled
/// variables x/alpha and sigma/alpha where it reads dx/dsigma = (x - D(x)) / sigma (Karras et al.
/// 2022, eq. 4). First order; the same update as deterministic DDIM.
/// </summary>
public sealed class EulerSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "euler";

    /// <inheritdoc />
    public string Summary => "Euler method on the probability-flow ODE (first order, 1 evaluation per step)";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => [];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        float[] x = run.Sample, denoised = run.Scratch(0);
        for (int i = 0; i < run.Steps; i++)
        {
            var (t, s) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, t, denoised);
            SamplerSteps.TowardsDenoised(x, denoised, t, s, s.Sigma, x);
            run.CompleteStep(i);
        }
    }
}
