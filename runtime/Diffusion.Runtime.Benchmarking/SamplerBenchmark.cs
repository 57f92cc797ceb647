using System.Diagnostics;
using System.Diagnostics.Metrics;
using Diffusion.Runtime.Diagnostics;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Samplers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Diffusion.Runtime.Benchmarking;

/// <summary>What <see cref="SamplerBenchmark.Run"/> measured.</summary>
/// <param name="RawMillisecondsPerCall">Median time of one plain <see cref="InferenceSession"/> run at the batch size.</param>
/// <param name="SamplerMillisecondsPerStep">Median time of one sampler step after warm-up.</param>
/// <param name="EvaluationsPerStep">Model evaluations per step of this sampler, on average over the measured steps.</param>
/// <param name="BytesAllocatedPerStep">Managed bytes allocated per step after warm-up.</param>
public sealed record BenchmarkResult(double RawMillisecondsPerCall, double SamplerMillisecondsPerStep,
    double EvaluationsPerStep, double BytesAllocatedPerStep)
{
    /// <summary>The ratio of each round, when several were run.</summary>
    public IReadOnlyList<double> RoundRatios { get; init; } = [];

    /// <summary>
    /// Sampler time per model evaluation over raw time per call: the sampler's overhead factor (the median of
    /// the rounds' ratios when there were rounds; within a round, the median over steps of a step's time per
    /// evaluation it made).
    /// </summary>
    public double Ratio => RoundRatios.Count > 0
        ? RoundRatios.OrderBy(r => r).ElementAt(RoundRatios.Count / 2)
        : SamplerMillisecondsPerStep / EvaluationsPerStep / RawMillisecondsPerCall;
}

/// <summary>
/// Compares a sampler's cost per step with the bare model call it is built on, and counts the
/// managed memory a step allocates (the target is none).
/// </summary>
public static class SamplerBenchmark
{
    /// <summary>Runs the benchmark.</summary>
    /// <param name="model">The loaded model.</param>
    /// <param name="sampler">Sampler name.</param>
    /// <param name="steps">Steps of each timed generation (at least 4).</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="rounds">
    /// Rounds of (raw calls, then one generation). The ratio is taken within each round and the
    /// median over rounds is reported, so a machine whose load drifts still compares like with like.
    /// </param>
    public static BenchmarkResult Run(OnnxDiffusionModel model, string sampler, int steps, int batch, int rounds = 5)
    {
        if (steps < 4) throw new DiffusionRequestException($"the benchmark needs at least 4 steps, got {steps}.");
        if (rounds < 1) throw new DiffusionRequestException($"the benchmark needs at least 1 round, got {rounds}.");
        var options = new GenerationOptions { Sampler = sampler, Steps = steps, Count = batch, BatchSize = batch, Seed = 1 };
        Generator.Generate(model, options); // warm-up
        // Raw calls per round: about as many as a step makes, twice, and a few more.
        int perStep = (int)Math.Ceiling((double)SamplerRegistry.Get(sampler).ModelEvaluations(steps, options.Settings) / steps);
        var results = new BenchmarkResult[rounds];
        using var raw = new RawSession(model, batch);
        for (int r = 0; r < rounds; r++)
        {
            double rawMs = raw.MedianMilliseconds(calls: 2 * perStep + 3);
            using var recorder = new StepRecorder(steps);
            Generator.Generate(model, options, recorder);
            results[r] = recorder.Result(rawMs);
        }
        return new BenchmarkResult(
            Median(results.Select(x => x.RawMillisecondsPerCall)),
            Median(results.Select(x => x.SamplerMillisecondsPerStep)),
            Median(results.Select(x => x.EvaluationsPerStep)),
            results.Max(x => x.BytesAllocatedPerStep))
        {
            RoundRatios = results.Select(x => x.Ratio).ToArray(),
        };
    }

    /// <summary>The bare model call: plain InferenceSession.Run on inputs made once.</summary>
    private sealed class RawSession : IDisposable
    {
        private readonly OnnxDiffusionModel _model;
        private readonly List<OrtValue> _inputs = [];
        private readonly List<string> _names = [];
        private readonly RunOptions _runOptions = new();

        public RawSession(OnnxDiffusionModel model, int batch)
        {
            model.Session.AddReference(); // released in Dispose
            _model = model;
            var shape = model.SampleShape;
            long[] sampleDims = [batch, shape.Channels, shape.Height, shape.Width];
            int length = batch * shape.Size;
            var random = new Random(1);
            if (model.SampleInput.ElementType == TensorElementType.Float16)
                Add(model.SampleInput.Name, OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, length).Select(_ => (Float16)(float)random.NextDouble()).ToArray(), sampleDims));
            else
                Add(model.SampleInput.Name, OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray(), sampleDims));
            var t = model.TimestepInput;
            int tl = t.Rank == 0 || t.Dimensions[0] == 1 ? 1 : batch;
            long[] tDims = t.Rank == 0 ? [] : [tl];
            double tv = model.Config.TimestepValue(model.Schedule.At(0.5 * (model.Schedule.MinTime + model.Schedule.MaxTime)));
            Add(t.Name, t.ElementType switch
            {
                TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((float)tv, tl).ToArray(), tDims),
                TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((Float16)(float)tv, tl).ToArray(), tDims),
                TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(tv, tl).ToArray(), tDims),
                TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((int)tv, tl).ToArray(), tDims),
                _ => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((long)tv, tl).ToArray(), tDims),
            });
            if (model.ClassLabelsInput is { } labels)
                Add(labels.Name, OrtValue.CreateTensorValueFromMemory(new long[batch], [batch]));
        }

        public double MedianMilliseconds(int calls)
        {
            var times = new double[calls];
            for (int i = 0; i < calls; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using var outputs = _model.Session.Session.Run(_runOptions, _names, _inputs, [_model.Output.Name]);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            return Median(times);
        }

        private void Add(string name, OrtValue value)
        {
            _names.Add(name);
            _inputs.Add(value);
        }

        public void Dispose()
        {
            foreach (var v in _inputs) v.Dispose();
            _runOptions.Dispose();
            _model.Session.Release();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>Records the time and allocation counter at every step, allocation-free.</summary>
    /// <summary>
    /// Records at every step the generation reports the time, the managed bytes allocated and the model calls
    /// made on this thread (<see cref="DiffusionMetrics.ModelCalls"/>), so each step's cost per evaluation is
    /// known whatever a sampler spends between two reports (Heun's two calls, restart sampling's restarts).
    /// </summary>
    private sealed class StepRecorder : IProgress<GenerationProgress>, IDisposable
    {
        private readonly int _steps;
        private readonly long[] _ticks, _bytes, _calls;
        private readonly MeterListener _listener = new();
        private readonly int _thread = Environment.CurrentManagedThreadId;
        private long _callCount;

        public StepRecorder(int steps)
        {
            _steps = steps;
            (_ticks, _bytes, _calls) = (new long[steps + 1], new long[steps + 1], new long[steps + 1]);
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument, DiffusionMetrics.ModelCalls)) listener.EnableMeasurementEvents(instrument);
            };
            // Other threads (a test running beside this one) call models too: count this thread's calls only.
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
            {
                if (Environment.CurrentManagedThreadId == _thread) _callCount += value;
            });
            _listener.Start();
        }

        public void Report(GenerationProgress value)
        {
            _ticks[value.Step] = Stopwatch.GetTimestamp();
            _bytes[value.Step] = GC.GetAllocatedBytesForCurrentThread();
            _calls[value.Step] = _callCount;
        }

        public BenchmarkResult Result(double raw)
        {
            // Steps 2 .. n-1: skip the first (warm-up) and the last (a different update for some samplers).
            int first = 1, last = _steps - 1;
            var perStep = new double[last - first];
            var perEvaluation = new List<double>(last - first);
            for (int i = first; i < last; i++)
            {
                perStep[i - first] = Stopwatch.GetElapsedTime(_ticks[i], _ticks[i + 1]).TotalMilliseconds;
                long calls = _calls[i + 1] - _calls[i];
                if (calls > 0) perEvaluation.Add(perStep[i - first] / calls);
            }
            double bytes = (double)(_bytes[last] - _bytes[first]) / (last - first);
            double evaluations = (double)(_calls[last] - _calls[first]) / (last - first);
            return new BenchmarkResult(raw, Median(perStep), evaluations, bytes) { RoundRatios = [Median(perEvaluation) / raw] };
        }

        public void Dispose() => _listener.Dispose();
    }
}
