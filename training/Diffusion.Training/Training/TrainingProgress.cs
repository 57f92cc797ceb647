namespace Diffusion.Training.Training;

/// <summary>Reported after every training step.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="Steps">The step the run stops at.</param>
/// <param name="Loss">This step's loss.</param>
/// <param name="AverageLoss">The mean loss since the last log line (<see cref="TrainingOptions.LogEvery"/>).</param>
/// <param name="SamplesPerSecond">Training throughput over the same window (images, or points, per second).</param>
/// <param name="LearningRate">The learning rate of this step.</param>
/// <param name="GradientNorm">The global gradient norm before clipping.</param>
public readonly record struct TrainingProgress(long Step, long Steps, double Loss, double AverageLoss, double SamplesPerSecond, double LearningRate, double GradientNorm);

/// <summary>How a run ended.</summary>
public enum TrainingOutcome
{
    /// <summary>It reached its last step.</summary>
    Completed,

    /// <summary>It was cancelled (Ctrl-C, SIGTERM) and saved a checkpoint first.</summary>
    Interrupted,
}

/// <summary>The end of a run.</summary>
/// <param name="Outcome">Completed or interrupted.</param>
/// <param name="Step">Steps completed.</param>
/// <param name="Loss">The last step's loss, or null when no step ran.</param>
/// <param name="CheckpointPath">The checkpoint holding the final state.</param>
public sealed record TrainingResult(TrainingOutcome Outcome, long Step, double? Loss, string CheckpointPath);
