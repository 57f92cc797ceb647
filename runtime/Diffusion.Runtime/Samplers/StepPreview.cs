namespace Diffusion.Runtime.Samplers;

/// <summary>Receives a batch's current x0 estimate after step <paramref name="step"/> (from 0); valid only during the call.</summary>
public delegate void DenoisedCallback(int step, ReadOnlySpan<float> denoised);

/// <summary>
/// Asks a <see cref="SamplerRun"/> for its x0 estimate (the last denoiser output of a step, as
/// k-diffusion's callback passes <c>denoised</c>) every <see cref="Every"/> steps and after the last.
/// The estimate is copied only at those steps.
/// </summary>
/// <param name="Every">Interval in steps, at least 1.</param>
/// <param name="Callback">Receives the step index and the batch's estimate, [batch, C, H, W] flattened.</param>
public sealed record StepPreview(int Every, DenoisedCallback Callback)
{
    /// <summary>True when step <paramref name="step"/> (from 0) of <paramref name="steps"/> gets a preview.</summary>
    public bool Wants(int step, int steps) => (step + 1) % Every == 0 || step == steps - 1;
}
