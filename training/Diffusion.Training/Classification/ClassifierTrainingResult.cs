namespace Diffusion.Training.Classification;

/// <summary>The end of a classifier's training.</summary>
/// <param name="Steps">Steps completed.</param>
/// <param name="Loss">The mean loss of the last log interval.</param>
/// <param name="HeldoutAccuracy">The accuracy on the held-out images, or null when none were held out.</param>
/// <param name="Elapsed">Wall time of the training steps and the final measurement.</param>
public sealed record ClassifierTrainingResult(long Steps, double Loss, double? HeldoutAccuracy, TimeSpan Elapsed);
