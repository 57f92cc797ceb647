using Diffusion.Runtime.Samplers;

namespace Diffusion.Cli.Tests;

/// <summary>
/// The loop of diffusers' Euler-family scheduler tests, built from the runtime's own Euler and Euler
/// ancestral arithmetic (<see cref="SamplerSteps.AncestralSplit"/>, <see cref="SamplerSteps.TowardsDenoised"/>).
/// Test-only: it reproduces a quirk of those tests, not a sampler anyone should use.
/// </summary>
/// <remarks>
/// The tests (test_scheduler_euler.py, test_scheduler_euler_ancestral.py) write
/// <c>sample = scheduler.scale_model_input(sample, t)</c> and then hand that scaled sample to
/// <c>scheduler.step(model_output, t, sample)</c>. The model sees the right input, x / sqrt(sigma^2 + 1), which
/// is the runtime's own (VP) sample; but step() takes it as the unscaled sample of the sigma-scaled ODE and
/// moves it from there, so each step starts from a point shrunk by alpha = 1 / sqrt(sigma^2 + 1), and its x0
/// estimate is diffusers' pred_original_sample formula applied to the shrunk sample. A diffusers pipeline keeps
/// the unscaled sample and does not do this; the runtime's euler and euler-ancestral samplers do what the
/// pipeline does, so they cannot give the tests' numbers and must not.
/// <para>
/// In the runtime's variables: x is the scaled sample, D the runtime's x0 estimate at x. step() sees the point
/// whose unscaled sample is x, i.e. alpha x, and the estimate D + c (x - x / alpha), with c = 1 for epsilon
/// (pred = sample - sigma eps) and c = alpha^2 for v_prediction (pred = -sigma alpha v + alpha^2 sample).
/// From there it takes the runtime's ancestral step (eta 1) or Euler step (eta 0). The step's result,
/// alpha' y', is what the test's next scale_model_input gives, so the loop stays in the runtime's variables.
/// </para>
/// </remarks>
internal sealed class DiffusersEulerTestLoop(double eta, bool vPrediction) : ISampler
{
    public string Name => "diffusers-euler-test-loop";

    public string Summary => "diffusers' Euler-family test loop (scaled sample passed to step)";

    public IReadOnlyList<string> Options => [];

    public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

    public void Run(SamplerRun run)
    {
        float[] x = run.Sample, denoised = run.Scratch(0), unscaledAsGiven = run.Scratch(1), noise = run.Scratch(2);
        for (int i = 0; i < run.Steps; i++)
        {
            var (t, s) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, t, denoised);
            double c = vPrediction ? t.Alpha * t.Alpha : 1;
            SamplerSteps.AddScaled(denoised, x, c * (1 - 1 / t.Alpha));       // pred_original_sample of step(x)
            SamplerSteps.Combine(x, t.Alpha, denoised, 0, unscaledAsGiven);   // the point whose unscaled sample is x
            var (down, up) = SamplerSteps.AncestralSplit(t.ScaledSigma, s.ScaledSigma, eta);
            SamplerSteps.TowardsDenoised(unscaledAsGiven, denoised, t, s, s.Alpha * down, x);
            if (up > 0)
            {
                run.DrawNoise(noise);
                SamplerSteps.AddScaled(x, noise, s.Alpha * up);
            }
            run.CompleteStep(i);
        }
    }
}
