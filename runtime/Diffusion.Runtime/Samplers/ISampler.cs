namespace Diffusion.Runtime.Samplers;

/// <summary>
/// A sampling method. It owns its loop over the path in <see cref="SamplerRun"/> and keeps no
/// state of its own, so one instance serves any number of concurrent generations.
/// </summary>
public interface ISampler
{
    /// <summary>The name users pick it by (<c>--sampler</c>).</summary>
    string Name { get; }

    /// <summary>One line on what it is.</summary>
    string Summary { get; }

    /// <summary>The <see cref="SamplerSettings"/> it reads, by CLI option name.</summary>
    IReadOnlyList<string> Options { get; }

    /// <summary>Number of model evaluations for a path of <paramref name="steps"/> noisy points.</summary>
    int ModelEvaluations(int steps, SamplerSettings settings);

    /// <summary>Walks the path, turning the noise in <see cref="SamplerRun.Sample"/> into samples in place.</summary>
    void Run(SamplerRun run);
}
