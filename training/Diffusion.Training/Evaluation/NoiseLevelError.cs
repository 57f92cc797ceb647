namespace Diffusion.Training.Evaluation;

/// <summary>
/// How well a model denoises real data at one noise level: the mean squared error per value of
/// its x0 estimate, beside the error of the best guess that ignores the noisy input (the mean image).
/// </summary>
/// <param name="ScaledSigma">The noise-to-signal ratio sigma / alpha of the level (VE's sigma; for VP, the sigma of the equivalent VE process).</param>
/// <param name="Time">The model's time (training index or t) at that level.</param>
/// <param name="DenoisedMse">Mean squared error of the model's x0 estimate, per value.</param>
/// <param name="MeanImageMse">Mean squared error of the data's mean as the estimate: what an ideal denoiser tends to as the noise grows.</param>
public sealed record NoiseLevelError(double ScaledSigma, double Time, double DenoisedMse, double MeanImageMse)
{
    /// <summary>
    /// <see cref="DenoisedMse"/> over <see cref="MeanImageMse"/>: below 1 the model uses its noisy input;
    /// above 1 it does worse than ignoring it, which an ideal denoiser never does.
    /// </summary>
    public double RelativeToMeanImage => DenoisedMse / MeanImageMse;
}
