using Diffusion.Runtime.Evaluation;

namespace Diffusion.Cli.Commands;

/// <summary>One (sampler, steps) cell of an evaluation sweep.</summary>
/// <param name="Sampler">The sampler.</param>
/// <param name="Steps">The step count asked for.</param>
/// <param name="ModelEvaluations">Model evaluations per sample (NFE).</param>
/// <param name="Score">The figures of its samples.</param>
/// <param name="SecondsPerImage">Wall time of the generation divided by the sample count.</param>
internal sealed record EvalRow(string Sampler, int Steps, int ModelEvaluations, SampleScore Score, double SecondsPerImage);
