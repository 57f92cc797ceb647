using Diffusion.Training.Data;

namespace Diffusion.Training.Cli.Commands;

/// <summary>Settings that suit a dataset when the command line leaves them open: an MLP for points, a UNet for images.</summary>
/// <remarks>NoiseSampling: lognormal brought the tight ring's component widths from 2.05x to 1.32x the truth at 4,000 steps
/// (docs/training.md), and P_mean -1.8 to 1.24x. On MNIST lognormal and log-SNR draws did worse than uniform ones (FD +90 and +109
/// after 1,500 steps), while min-SNR-5 weighting did better on two training seeds (DDIM -18.6 and -42.9, paired; docs/training.md).</remarks>
internal sealed record DatasetDefaults(bool Images, int Batch, double LearningRate, long Steps, int PreviewCount, int Threads)
{
    public string NoiseSampling => Images ? "uniform" : "lognormal";

    /// <summary>
    /// min-snr for images under the variance-preserving objectives (ddpm, where it was measured, and vp and subvp, whose levels
    /// spread the same way), else the objective's own: on points min-SNR measured worse, and the variance-exploding objectives
    /// (ve, ncsn) draw about half their levels below sigma = 0.45, where min-SNR-5 would cut their weight, unmeasured.
    /// A network whose output is EDM-preconditioned keeps its own weighting, EDM's lambda, which is part of that recipe.
    /// </summary>
    public string LossWeighting(string objective, bool edmPreconditioned) =>
        Images && !edmPreconditioned && objective is "ddpm" or "vp" or "subvp" ? "min-snr" : "own";

    /// <summary>The log-normal mean of ln(sigma/alpha): -1.8 put every tight-ring component within 35 % of its std and 0.03 of its weight on 3 seeds.</summary>
    public double PMean => Images ? -1.2 : -1.8;

    public static DatasetDefaults For(Dataset dataset) => dataset.Height == 1 && dataset.Width == 1
        // An MLP on a few thousand values per batch: one thread is fastest, more only add synchronisation.
        ? new(Images: false, Batch: 256, LearningRate: 2e-3, Steps: 10_000, PreviewCount: 1000, Threads: 1)
        : new(Images: true, Batch: 64, LearningRate: 5e-4, Steps: 5_000, PreviewCount: 36, Threads: Environment.ProcessorCount);
}
