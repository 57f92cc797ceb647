using System.Diagnostics;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Schedules;
using Diffusion.Server.Api;

namespace Diffusion.Server.Hosting;

/// <summary>What a generation reports while it runs (server-sent events).</summary>
public interface IGenerationEvents
{
    /// <summary>Step <paramref name="step"/> of <paramref name="steps"/> is done.</summary>
    void Step(int step, int steps);

    /// <summary>The x0 estimate after step <paramref name="step"/>: <c>count</c> samples, guidance applied.</summary>
    void Preview(int step, float[] denoised);
}

/// <summary>
/// Runs one admitted request: <see cref="Generator.Generate(IDiffusionModel, GenerationOptions, IProgress{GenerationProgress}?, CancellationToken)"/> on the request's own thread over the
/// model's batcher, reporting steps and x0 previews.
/// </summary>
public static class GenerationJob
{
    /// <summary>Generates what <paramref name="request"/> asks for; counts it in the model's figures.</summary>
    /// <exception cref="OperationCanceledException">The client went away.</exception>
    public static async Task<GeneratedSamples> RunAsync(ValidRequest request, IGenerationEvents? events, CancellationToken cancellation)
    {
        var served = request.Model;
        var preview = events is null || request.PreviewEvery == 0 ? null : new PreviewBuffer(request);
        var model = request.Size.ForRequest(preview is null ? null : preview.Observe);
        var progress = events is null ? null : new StepReporter(request, events, preview);
        long started = Stopwatch.GetTimestamp();
        try
        {
            // The sampler loop blocks on the batcher between steps, so it gets a thread of its own.
            var samples = await Task.Factory.StartNew(() => Generator.Generate(model, request.Options, progress, cancellation),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            served.Stats.Completed(samples.Count, Stopwatch.GetElapsedTime(started));
            return samples;
        }
        catch (OperationCanceledException)
        {
            served.Stats.CancelledOne();
            throw;
        }
        catch (Exception e) when (e is not Runtime.DiffusionRequestException)
        {
            served.Stats.FailedOne();
            throw;
        }
    }

    /// <summary>Keeps the latest x0 estimate of a request, guidance applied, for previews.</summary>
    private sealed class PreviewBuffer(ValidRequest request)
    {
        private readonly float[] _latest = new float[request.Options.Count * request.Size.Model.SampleShape.Size];
        private readonly float _guidance = (float)request.Options.GuidanceScale;

        public void Observe(ReadOnlyMemory<float> rows, TimePoint point)
        {
            var span = rows.Span;
            int n = _latest.Length;
            lock (_latest)
            {
                if (span.Length == 2 * n) // conditional rows, then unconditional: D = D_u + w (D_c - D_u)
                {
                    for (int i = 0; i < n; i++) _latest[i] = span[n + i] + _guidance * (span[i] - span[n + i]);
                }
                else span[..n].CopyTo(_latest);
            }
        }

        public float[] Snapshot()
        {
            lock (_latest) return (float[])_latest.Clone();
        }
    }

    private sealed class StepReporter(ValidRequest request, IGenerationEvents events, PreviewBuffer? preview) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value)
        {
            events.Step(value.Step, value.Steps);
            if (preview is not null && (value.Step % request.PreviewEvery == 0 || value.Step == value.Steps))
                events.Preview(value.Step, preview.Snapshot());
        }
    }
}
