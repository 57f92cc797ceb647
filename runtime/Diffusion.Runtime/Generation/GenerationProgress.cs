namespace Diffusion.Runtime.Generation;

/// <summary>Reported after every sampler step.</summary>
/// <param name="Step">Steps completed in the current batch.</param>
/// <param name="Steps">Steps per batch.</param>
/// <param name="Batch">Current batch, from 1.</param>
/// <param name="Batches">Number of batches.</param>
public readonly record struct GenerationProgress(int Step, int Steps, int Batch, int Batches)
{
    /// <summary>Fraction of the whole generation done, in [0, 1].</summary>
    public double Fraction => ((Batch - 1) * (double)Steps + Step) / ((double)Batches * Steps);
}
