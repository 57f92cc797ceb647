using System.Diagnostics;
using System.Numerics.Tensors;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Diagnostics;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Samplers;

/// <summary>
/// Everything one sampler run works with: the batch being sampled, the path, the denoiser, the
/// batch's noise source, scratch buffers and step reporting. Created per batch; never shared.
/// </summary>
public sealed class SamplerRun
{
    private readonly IDenoiser _denoiser;
    private readonly INoiseSource _noise;
    private readonly Action<int>? _onStep;
    private readonly CancellationToken _cancellation;
    private readonly float[][] _scratch = new float[8][];
    private float[]? _preview;
    private int _step;
    private long _stepStarted = Stopwatch.GetTimestamp();

    /// <summary>Creates a run over <paramref name="sample"/>, which holds the initial noise x_T.</summary>
    public SamplerRun(float[] sample, int batchSize, IReadOnlyList<TimePoint> path, NoiseSchedule schedule,
        SamplerSettings settings, IDenoiser denoiser, INoiseSource noise, Action<int>? onStep = null,
        CancellationToken cancellation = default)
    {
        if (path.Count < 2 || !path[^1].Equals(schedule.Clean))
            throw new ArgumentException("a sampling path has at least one noisy point and ends on the schedule's clean point.", nameof(path));
        if (sample.Length % batchSize != 0) throw new ArgumentException("sample length is not a multiple of the batch size.", nameof(sample));
        Sample = sample;
        BatchSize = batchSize;
        Path = path;
        Schedule = schedule;
        Settings = settings;
        _denoiser = denoiser;
        _noise = noise;
        _onStep = onStep;
        _cancellation = cancellation;
    }

    /// <summary>The batch, [batch, C, H, W] flattened: initial noise on entry, samples on return.</summary>
    public float[] Sample { get; }

    /// <summary>Number of samples in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>Values per sample (C * H * W).</summary>
    public int SampleSize => Sample.Length / BatchSize;

    /// <summary>The points to visit, noisiest first, ending on the clean point.</summary>
    public IReadOnlyList<TimePoint> Path { get; }

    /// <summary>Number of steps (transitions between consecutive path points).</summary>
    public int Steps => Path.Count - 1;

    /// <summary>The model's noise process.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>The sampler's options.</summary>
    public SamplerSettings Settings { get; }

    /// <summary>Model evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>
    /// True when the model takes only whole time indices (<see cref="Generation.IDiffusionModel.IntegerTimesteps"/>):
    /// <see cref="PointAt"/> then rounds to the training grid.
    /// </summary>
    public bool IntegerTimes { get; init; }

    /// <summary>
    /// The point of the noise process at scaled noise level sigma/alpha = <paramref name="scaledSigma"/>
    /// (clamped to the schedule's range), for samplers that step off the path; on the nearest whole time
    /// when <see cref="IntegerTimes"/>, so its alpha and sigma are those the model sees.
    /// </summary>
    public TimePoint PointAt(double scaledSigma)
    {
        double time = Schedule.TimeOfScaledSigma(Math.Clamp(scaledSigma, Schedule.MinScaledSigma, Schedule.MaxScaledSigma));
        return Schedule.At(IntegerTimes ? Math.Round(time, MidpointRounding.ToEven) : time);
    }

    /// <summary>Receives the current x0 estimate after some steps (streaming previews); null for none.</summary>
    public StepPreview? Preview { get; init; }

    /// <summary>
    /// A scratch buffer the size of the batch, allocated once per run: sampler loops allocate nothing.
    /// </summary>
    public float[] Scratch(int index) => _scratch[index] ??= new float[Sample.Length];

    /// <summary>Estimates x0 for <paramref name="x"/> at <paramref name="point"/>; fails clearly on NaN or infinity.</summary>
    public void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised)
    {
        _cancellation.ThrowIfCancellationRequested();
        _denoiser.Denoise(x, point, denoised);
        Evaluations++;
        DiffusionMetrics.ModelCalls.Add(1);
        DiffusionMetrics.ModelRows.Add(BatchSize);
        if (Preview is { } preview && preview.Wants(_step, Steps)) denoised.CopyTo(_preview ??= new float[Sample.Length]);
        if (!float.IsFinite(TensorPrimitives.MaxMagnitude(denoised)))
            throw new DiffusionModelException(
                $"the model output contains NaN or infinity at step {_step + 1} of {Steps} (time {point.Time:G6}, sigma {point.Sigma:G6}): " +
                "the model file or its scheduler config is broken, or the sample diverged (try more steps).");
    }

    /// <summary>Fills <paramref name="destination"/> (a batch-sized buffer) with the noise source's next standard normal numbers.</summary>
    public void DrawNoise(Span<float> destination) => _noise.Fill(destination);

    /// <summary>Called by the sampler after step <paramref name="index"/>: reports progress and honours cancellation.</summary>
    public void CompleteStep(int index)
    {
        long now = Stopwatch.GetTimestamp();
        DiffusionMetrics.StepDuration.Record(Stopwatch.GetElapsedTime(_stepStarted, now).TotalSeconds);
        _stepStarted = now;
        if (Preview is { } preview && _preview is not null && preview.Wants(index, Steps)) preview.Callback(index, _preview);
        _step = index + 1;
        _onStep?.Invoke(index);
        _cancellation.ThrowIfCancellationRequested();
    }
}
