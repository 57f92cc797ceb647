using System.Diagnostics.Metrics;
using Diffusion.Runtime.Diagnostics;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Generation;

/// <summary>Tests that read process-wide instruments: no other generation may run beside them.</summary>
[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsCollection))]
public class MetricsTests
{
    [Fact]
    public void InstrumentsCountGenerationsSamplesModelCallsRowsAndSteps()
    {
        var totals = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DiffusionMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => Add(instrument.Name, 1));
        listener.Start();

        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["discrete"]);
        // 10 samples in batches of 4 (4 + 4 + 2), Heun with 8 steps: 15 model calls per batch.
        var samples = Generator.Generate(model, new GenerationOptions { Sampler = "heun", Steps = 8, Count = 10, BatchSize = 4 });
        listener.Dispose();

        Assert.Equal(15, samples.ModelEvaluations);
        Assert.Equal(1, totals["diffusion.generations"]);
        Assert.Equal(10, totals["diffusion.samples"]);
        Assert.Equal(3 * 15, totals["diffusion.model_calls"]);
        Assert.Equal(15 * 10, totals["diffusion.model_rows"]);
        Assert.Equal(3 * 8, totals["diffusion.step.duration"]); // one measurement per step of each batch
        Assert.Equal(1, totals["diffusion.generation.duration"]);

        void Add(string name, double value)
        {
            lock (totals) totals[name] = totals.GetValueOrDefault(name) + value;
        }
    }
}
