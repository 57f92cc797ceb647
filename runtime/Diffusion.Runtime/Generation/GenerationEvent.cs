namespace Diffusion.Runtime.Generation;

/// <summary>What a streaming generation reports: a <see cref="GenerationStep"/> per sampler step, then one <see cref="GenerationCompleted"/>.</summary>
public abstract record GenerationEvent;

/// <summary>A sampler step of one batch completed.</summary>
/// <param name="Progress">Where the generation is.</param>
/// <param name="FirstSample">Index of the batch's first sample in the generation.</param>
/// <param name="Denoised">
/// The batch's current x0 estimate, [batch, C, H, W] flattened, at preview steps (every
/// <c>previewEvery</c> steps and the last); null at other steps.
/// </param>
public sealed record GenerationStep(GenerationProgress Progress, int FirstSample, float[]? Denoised) : GenerationEvent;

/// <summary>The generation finished.</summary>
/// <param name="Samples">The samples.</param>
public sealed record GenerationCompleted(GeneratedSamples Samples) : GenerationEvent;
