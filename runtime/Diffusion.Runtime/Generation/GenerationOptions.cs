using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Samplers;

namespace Diffusion.Runtime.Generation;

/// <summary>What to generate and how. Plain data: bindable from configuration or JSON.</summary>
public sealed record GenerationOptions
{
    /// <summary>
    /// Sampler name (see <see cref="SamplerRegistry"/>); null takes the one the model's config names
    /// (<see cref="Models.SchedulerConfig.Sampler"/>), else <see cref="Samplers.SamplerRegistry.DefaultName"/>.
    /// </summary>
    public string? Sampler { get; init; }

    /// <summary>A sampler of the caller's own (any <see cref="ISampler"/>), used instead of the one <see cref="Sampler"/> names.</summary>
    public ISampler? CustomSampler { get; init; }

    /// <summary>Bounds checked before anything is allocated; <see cref="GenerationLimits.Default"/> unless raised.</summary>
    public GenerationLimits Limits { get; init; } = GenerationLimits.Default;

    /// <summary>Number of steps: noisy points on the path (noise levels for Langevin); <see cref="DefaultSteps"/> unless set.</summary>
    public int Steps { get; init; } = DefaultSteps;

    /// <summary>
    /// The steps of a request that names none: 12, where the default sampler
    /// (<see cref="Samplers.SamplerRegistry.DefaultName"/>, 20 model evaluations with its one restart)
    /// is within one standard error of DDPM at 100 steps on the three shipped MNIST models (docs/quality.md).
    /// A sampler named without steps takes them too: set <see cref="Steps"/> for the others.
    /// </summary>
    public const int DefaultSteps = 12;

    /// <summary>How many samples.</summary>
    public int Count { get; init; } = 16;

    /// <summary>Seed: sample i's noise depends only on (Seed, i); with <see cref="NoiseKind.Torch"/> noise, the seed of <c>torch.manual_seed</c>.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Which random numbers to draw: <see cref="NoiseKind.PerSample"/> (the default) gives each sample its own
    /// stream; <see cref="NoiseKind.Torch"/> reproduces a diffusers pipeline's <c>torch.manual_seed(Seed)</c>
    /// noise and needs every sample in one batch (<see cref="BatchSize"/> at least <see cref="Count"/>).
    /// </summary>
    public NoiseKind Noise { get; init; }

    /// <summary>Samples per model call; bounds memory. Null: all at once, at most 64.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Spacing of the path; null takes the config's <c>timestep_spacing</c>.</summary>
    public TimestepSpacing? Spacing { get; init; }

    /// <summary>Sampler knobs.</summary>
    public SamplerSettings Settings { get; init; } = new();

    /// <summary>
    /// Class labels of a class-conditional model, cycled over the samples: sample i is generated for
    /// <c>ClassLabels[i % ClassLabels.Count]</c>. <c>[3]</c> asks for class 3 only, <c>[0, 1, ..., 9]</c> for every
    /// class in turn. Null: unconditional.
    /// </summary>
    public IReadOnlyList<int>? ClassLabels { get; init; }

    /// <summary>
    /// Classifier-free guidance weight w towards <see cref="ClassLabels"/>: 1 samples the conditional
    /// model, w &gt; 1 sharpens towards the class, 0 is unconditional. Needs the config's <c>null_class_label</c>.
    /// </summary>
    public double GuidanceScale { get; init; } = 1;

    /// <summary>
    /// Starting noise instead of drawn noise: <see cref="Count"/> x C x H x W standard normal values,
    /// scaled by the process's prior standard deviation as diffusers scales given latents.
    /// </summary>
    public ReadOnlyMemory<float>? InitialNoise { get; init; }
}
