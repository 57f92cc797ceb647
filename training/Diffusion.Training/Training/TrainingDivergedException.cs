using Diffusion.Runtime;

namespace Diffusion.Training.Training;

/// <summary>The loss or the gradient became NaN or infinite; training stopped without saving the bad state.</summary>
public sealed class TrainingDivergedException : DiffusionException
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message, long step) : base(message) => Step = step;

    /// <summary>The step (1-based) whose loss or gradient was not finite.</summary>
    public long Step { get; }
}
