using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;
using Diffusion.Server.Batching;

namespace Diffusion.Server.Tests.Support;

/// <summary>
/// A model of Gaussian data whose denoiser is exact and row by row (data N(mu_k, 0.5^2) per value,
/// mu_k = 0.1 k for class k, 0 for none or the null class), that counts its calls. It is both the
/// solo model (<see cref="IDiffusionModel.CreateDenoiser"/>) and the batched one
/// (<see cref="IRowDenoiser"/>), computing each row the same way in both, so a batched request must
/// equal its solo run.
/// </summary>
internal sealed class FakeModel : IDiffusionModel, IRowDenoiser
{
    private const float DataStd = 0.5f;
    private readonly object _gate = new();
    private readonly List<CallRecord> _calls = [];

    public FakeModel(int channels = 1, int size = 4, int classes = 0, TimeSpan? delay = null, int? maxRows = null)
    {
        string classKeys = classes > 0 ? $", \"num_classes\": {classes}, \"null_class_label\": {classes}" : "";
        Config = SchedulerConfig.Parse($$"""{ "num_train_timesteps": 1000, "beta_schedule": "linear", "clip_sample": false{{classKeys}} }""", "fake");
        Schedule = Config.CreateSchedule();
        SampleShape = new SampleShape(channels, size, size);
        Delay = delay ?? TimeSpan.Zero;
        MaxRows = maxRows;
    }

    public SchedulerConfig Config { get; }

    public NoiseSchedule Schedule { get; }

    public SampleShape SampleShape { get; }

    public bool IntegerTimesteps => false;

    /// <summary>Time each batched call takes (a stand-in for the network).</summary>
    public TimeSpan Delay { get; set; }

    public int? MaxRows { get; }

    public bool TakesClassLabels => Config.NumClasses > 0;

    /// <summary>Every batched call: its rows' points and labels.</summary>
    public IReadOnlyList<CallRecord> Calls
    {
        get { lock (_gate) return _calls.ToList(); }
    }

    public int CallCount
    {
        get { lock (_gate) return _calls.Count; }
    }

    /// <summary>Batched calls wait for it: a test closes it to line requests up, then opens it.</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    /// <summary>Batched calls begun, counted before they wait at <see cref="Gate"/>.</summary>
    public int Entered => Volatile.Read(ref _entered);

    private int _entered;

    public int Denoise(ReadOnlySpan<float> x, ReadOnlySpan<TimePoint> points, ReadOnlySpan<long> labels, Span<float> denoised)
    {
        Interlocked.Increment(ref _entered);
        Gate.Wait();
        lock (_gate) _calls.Add(new CallRecord(points.ToArray(), labels.ToArray()));
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        int size = SampleShape.Size;
        for (int r = 0; r < points.Length; r++)
            Row(x.Slice(r * size, size), points[r], labels.IsEmpty ? -1 : labels[r], denoised.Slice(r * size, size));
        return 1;
    }

    public IDenoiser CreateDenoiser(int batchSize, ReadOnlyMemory<long>? classLabels, CancellationToken cancellation) =>
        new Solo(this, classLabels?.ToArray() ?? (TakesClassLabels ? Enumerable.Repeat((long)Config.NumClasses, batchSize).ToArray() : null));

    // E[x0 | x] for x0 ~ N(mu, s^2): mu + alpha s^2 / (alpha^2 s^2 + sigma^2) (x - alpha mu).
    private void Row(ReadOnlySpan<float> x, TimePoint point, long label, Span<float> denoised)
    {
        float mu = label < 0 || label >= Config.NumClasses ? 0f : 0.1f * label;
        float a = (float)point.Alpha, s = (float)point.Sigma;
        float gain = a * DataStd * DataStd / (a * a * DataStd * DataStd + s * s);
        for (int i = 0; i < x.Length; i++) denoised[i] = mu + gain * (x[i] - a * mu);
    }

    private sealed class Solo(FakeModel model, long[]? labels) : IDenoiser
    {
        public void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised)
        {
            int size = model.SampleShape.Size;
            for (int r = 0; r < x.Length / size; r++)
                model.Row(x.Slice(r * size, size), point, labels is null ? -1 : labels[r], denoised.Slice(r * size, size));
        }

        public void Dispose() { }
    }
}

/// <summary>One batched call of the fake: each row's point and label.</summary>
internal sealed record CallRecord(TimePoint[] Points, long[] Labels)
{
    public int Rows => Points.Length;

    public int DistinctPoints => Points.Distinct().Count();
}
