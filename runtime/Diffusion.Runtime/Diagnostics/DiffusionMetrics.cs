using System.Diagnostics.Metrics;

namespace Diffusion.Runtime.Diagnostics;

/// <summary>
/// The runtime's <see cref="System.Diagnostics.Metrics"/> instruments, on the meter named
/// <see cref="MeterName"/>: subscribe with OpenTelemetry's <c>AddMeter("Diffusion.Runtime")</c>,
/// <c>dotnet-counters monitor --counters Diffusion.Runtime</c>, or a <see cref="MeterListener"/>.
/// </summary>
public static class DiffusionMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Diffusion.Runtime";

    private static readonly Meter Meter = new(MeterName, typeof(DiffusionMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Generations completed (<c>diffusion.generations</c>).</summary>
    internal static readonly Counter<long> Generations = Meter.CreateCounter<long>(
        "diffusion.generations", "{generation}", "Generations completed.");

    /// <summary>Samples generated (<c>diffusion.samples</c>).</summary>
    internal static readonly Counter<long> Samples = Meter.CreateCounter<long>(
        "diffusion.samples", "{sample}", "Samples generated.");

    /// <summary>Model calls (<c>diffusion.model_calls</c>): one per denoiser evaluation of a batch.</summary>
    internal static readonly Counter<long> ModelCalls = Meter.CreateCounter<long>(
        "diffusion.model_calls", "{call}", "Model evaluations of a whole batch.");

    /// <summary>Rows evaluated (<c>diffusion.model_rows</c>): samples per model call, summed.</summary>
    internal static readonly Counter<long> ModelRows = Meter.CreateCounter<long>(
        "diffusion.model_rows", "{row}", "Samples evaluated by the model, summed over calls.");

    /// <summary>Duration of one sampler step of a batch (<c>diffusion.step.duration</c>), in seconds.</summary>
    internal static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "diffusion.step.duration", "s", "Duration of one sampler step of a batch.");

    /// <summary>Duration of a whole generation (<c>diffusion.generation.duration</c>), in seconds.</summary>
    internal static readonly Histogram<double> GenerationDuration = Meter.CreateHistogram<double>(
        "diffusion.generation.duration", "s", "Duration of a whole generation.");
}
