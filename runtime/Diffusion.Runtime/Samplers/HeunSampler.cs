namespace Diffusion.Runtime.Samplers;

/// <summary>
/// Heun's second-order method on the probability-flow ODE, as in Karras et al. 2022, Alg. 1:
/// an Euler step, then a correction with the average of the slopes at both ends; the last step,
/// into sigma = 0, stays an Euler step. In the rescaled variables y = x/alpha, s = sigma/alpha the
/// slope is dy/ds = (y - D)/s.
/// </summary>
public sealed class HeunSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "heun";

    /// <inheritdoc />
    public string Summary => "Heun method on the probability-flow ODE (Karras et al. 2022; second order, 2 evaluations per step)";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => [];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => 2 * steps - 1;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        float[] x = run.Sample, denoised = run.Scratch(0), euler = run.Scratch(1), denoisedAtEnd = run.Scratch(2);
        for (int i = 0; i < run.Steps; i++)
        {
            var (t, s) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, t, denoised);
            SamplerSteps.Heun(run, x, denoised, t, s, euler, denoisedAtEnd);
            run.CompleteStep(i);
        }
    }
}
