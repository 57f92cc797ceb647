using System.Diagnostics;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Samplers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Diffusion.Runtime.Benchmarking;

/// <summary>What <see cref="SamplerBenchmark.Run"/> measured.</summary>
/// <param name="RawMillisecondsPerCall">Median time of one plain <see cref="InferenceSession"/> run at the batch size.</param>
/// <param name="SamplerMillisecondsPerStep">Median time of one sampler step after warm-up.</param>
/// <param name="EvaluationsPerStep">Model evaluations per step of this sampler.</param>
/// <param name="BytesAllocatedPerStep">Managed bytes allocated per step after warm-up.</param>
public sealed record BenchmarkResult(double RawMillisecondsPerCall, double SamplerMillisecondsPerStep,
    double EvaluationsPerStep, double BytesAllocatedPerStep)
{
    /// <summary>Sampler time per model evaluation over raw time per call: the sampler's overhead factor.</summary>
    public double Ratio => SamplerMillisecondsPerStep / EvaluationsPerStep / RawMillisecondsPerCall;
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
    /// <param name="steps">Steps of the timed generation (at least 4).</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="rawCalls">Number of timed raw calls.</param>
    public static BenchmarkResult Run(OnnxDiffusionModel model, string sampler, int steps, int batch, int rawCalls = 20)
    {
        if (steps < 4) throw new DiffusionException($"the benchmark needs at least 4 steps, got {steps}.");
        double raw = RawCallMilliseconds(model, batch, rawCalls);
        var options = new GenerationOptions { Sampler = sampler, Steps = steps, Count = batch, BatchSize = batch, Seed = 1 };
        Generator.Generate(model, options); // warm-up run
        var recorder = new StepRecorder(steps);
        Generator.Generate(model, options, recorder);
        // Evaluations of a middle step: the marginal cost of one more step.
        var method = SamplerRegistry.Get(sampler);
        int perStep = method.ModelEvaluations(steps + 1, options.Settings) - method.ModelEvaluations(steps, options.Settings);
        return recorder.Result(raw, perStep);
    }

    private static double RawCallMilliseconds(OnnxDiffusionModel model, int batch, int calls)
    {
        var shape = model.SampleShape;
        var inputs = new List<OrtValue>();
        var names = new List<string>();
        try
        {
            long[] sampleDims = [batch, shape.Channels, shape.Height, shape.Width];
            int length = batch * shape.Size;
            var random = new Random(1);
            if (model.SampleInput.ElementType == TensorElementType.Float16)
                inputs.Add(OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, length).Select(_ => (Float16)(float)random.NextDouble()).ToArray(), sampleDims));
            else
                inputs.Add(OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray(), sampleDims));
            names.Add(model.SampleInput.Name);
            var t = model.TimestepInput;
            int tl = t.Rank == 0 || t.Dimensions[0] == 1 ? 1 : batch;
            long[] tDims = t.Rank == 0 ? [] : [tl];
            double tv = model.Config.TimestepValue(model.Schedule.At(0.5 * (model.Schedule.MinTime + model.Schedule.MaxTime)));
            inputs.Add(t.ElementType switch
            {
                TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((float)tv, tl).ToArray(), tDims),
                TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((Float16)(float)tv, tl).ToArray(), tDims),
                TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(tv, tl).ToArray(), tDims),
                TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((int)tv, tl).ToArray(), tDims),
                _ => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((long)tv, tl).ToArray(), tDims),
            });
            names.Add(t.Name);
            if (model.ClassLabelsInput is { } labels)
            {
                inputs.Add(OrtValue.CreateTensorValueFromMemory(new long[batch], [batch]));
                names.Add(labels.Name);
            }
            using var runOptions = new RunOptions();
            var times = new double[calls];
            for (int i = -3; i < calls; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using var outputs = model.Session.Run(runOptions, names, inputs, [model.Output.Name]);
                if (i >= 0) times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            return Median(times);
        }
        finally
        {
            foreach (var v in inputs) v.Dispose();
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>Records the time and allocation counter at every step, allocation-free.</summary>
    private sealed class StepRecorder(int steps) : IProgress<GenerationProgress>
    {
        private readonly long[] _ticks = new long[steps + 1];
        private readonly long[] _bytes = new long[steps + 1];

        public void Report(GenerationProgress value)
        {
            _ticks[value.Step] = Stopwatch.GetTimestamp();
            _bytes[value.Step] = GC.GetAllocatedBytesForCurrentThread();
        }

        public BenchmarkResult Result(double raw, double evaluationsPerStep)
        {
            // Steps 2 .. n-1: skip the first (warm-up) and the last (a different update for some samplers).
            int first = 1, last = steps - 1;
            var perStep = new double[last - first];
            for (int i = first; i < last; i++)
                perStep[i - first] = Stopwatch.GetElapsedTime(_ticks[i], _ticks[i + 1]).TotalMilliseconds;
            double bytes = (double)(_bytes[last] - _bytes[first]) / (last - first);
            return new BenchmarkResult(raw, Median(perStep), evaluationsPerStep, bytes);
        }
    }
}
