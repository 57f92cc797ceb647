using System.Diagnostics;
using Diffusion.Runtime;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Server.Batching;

/// <summary>
/// Step-level continuous batching for one model. Every request in flight runs its own sampler loop
/// on its own thread; each model evaluation it asks for (a <see cref="Submission"/>: its rows, their
/// point, their labels) is queued here, and one loop thread evaluates the pending rows of all
/// requests in one model call per tick, each row at its own point, then hands every request its
/// rows back. So requests with different samplers, step counts and current steps share a call, and
/// classifier-free guidance rows join the same batch.
/// </summary>
/// <remarks>
/// A tick takes submissions first come, first served, up to <see cref="MaxRows"/> rows; a
/// submission is never split across ticks unless it alone holds more rows than a tick takes, and
/// the head of the queue always goes into the next tick, so no request starves. Before a tick the
/// loop waits a little (a fraction of the last call's time, at most a few milliseconds) for the
/// requests that are between two steps, so a tick does not leave behind the rows that were one
/// sampler update away. A request that is cancelled leaves the queue at once; one whose rows are
/// in the running call stops waiting and its rows are dropped when the call returns.
/// </remarks>
public sealed class StepBatcher : IDisposable
{
    private static readonly TimeSpan MaxGrace = TimeSpan.FromMilliseconds(4);
    private static readonly TimeSpan MinGrace = TimeSpan.FromMilliseconds(0.2);

    private readonly IRowDenoiser _model;
    private readonly IBatchObserver? _observer;
    private readonly int _sampleSize;
    private readonly object _gate = new();
    private readonly LinkedList<Submission> _pending = new();
    private readonly Thread _loop;
    private readonly float[] _x, _denoised;
    private readonly TimePoint[] _points;
    private readonly long[] _labels;
    private readonly List<(Submission Submission, int FirstRow, int Rows, int At)> _tick = [];
    private int _pendingRows;
    private int _active;
    private bool _stopping;
    private double _lastCallSeconds;
    private readonly TimeSpan? _stragglerWait;

    /// <summary>Starts the loop thread of one model.</summary>
    /// <param name="model">Evaluates rows at their own points.</param>
    /// <param name="sampleSize">Values per row (C x H x W).</param>
    /// <param name="maxRows">Most rows per model call; capped by the model's own <see cref="IRowDenoiser.MaxRows"/>.</param>
    /// <param name="name">Names the loop thread.</param>
    /// <param name="observer">Told of every tick; null for none.</param>
    /// <param name="stragglerWait">
    /// How long a tick waits for requests in flight that have not yet submitted their next step; null
    /// adapts it to a quarter of the last model call, between 0.2 and 4 ms.
    /// </param>
    public StepBatcher(IRowDenoiser model, int sampleSize, int maxRows, string name, IBatchObserver? observer = null, TimeSpan? stragglerWait = null)
    {
        if (stragglerWait is { } wait) ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        _stragglerWait = stragglerWait;
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        _model = model;
        _observer = observer;
        _sampleSize = sampleSize;
        MaxRows = model.MaxRows is { } fixedRows ? Math.Min(fixedRows, maxRows) : maxRows;
        _x = new float[MaxRows * sampleSize];
        _denoised = new float[MaxRows * sampleSize];
        _points = new TimePoint[MaxRows];
        _labels = new long[MaxRows];
        _loop = new Thread(Loop) { IsBackground = true, Name = $"batcher {name}" };
        _loop.Start();
    }

    /// <summary>Most rows one tick evaluates.</summary>
    public int MaxRows { get; }

    /// <summary>Rows waiting for a tick.</summary>
    public int PendingRows
    {
        get { lock (_gate) return _pendingRows; }
    }

    /// <summary>Denoisers attached (one per request batch in flight).</summary>
    public int Active
    {
        get { lock (_gate) return _active; }
    }

    /// <summary>Registers a denoiser that will submit rows; the loop waits for it between steps. Pair with <see cref="Detach"/>.</summary>
    /// <exception cref="ObjectDisposedException">The batcher is shutting down.</exception>
    public void Attach()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _active++;
        }
    }

    /// <summary>Unregisters a denoiser.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            _active--;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Queues <paramref name="submission"/> and blocks until its rows are evaluated into
    /// <see cref="Submission.Output"/>. Runs on the request's own thread.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired; the rows were released.</exception>
    /// <exception cref="DiffusionModelException">The model call failed.</exception>
    public void Evaluate(Submission submission, CancellationToken cancellation)
    {
        submission.Reset();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping && _active == 0, this);
            submission.Node = _pending.AddLast(submission);
            _pendingRows += submission.Rows;
            Monitor.PulseAll(_gate);
        }
        try
        {
            submission.Done.Wait(cancellation);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                if (submission.Node is not null) Remove(submission); // queued (or the rest of a split one)
                else if (submission.State == SubmissionState.Running) submission.State = SubmissionState.Abandoned;
            }
            throw;
        }
        if (submission.Error is { } error)
            throw error as DiffusionModelException ?? new DiffusionModelException($"the batched model call failed: {error.Message}", error);
    }

    /// <summary>Stops taking work, evaluates what is queued, and ends the loop thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _loop.Join();
    }

    private void Remove(Submission submission)
    {
        _pending.Remove(submission.Node!);
        submission.Node = null;
        _pendingRows -= submission.Rows - submission.RowsDone;
        submission.State = SubmissionState.Abandoned;
    }

    private void Loop()
    {
        while (true)
        {
            lock (_gate)
            {
                // Shutdown drains: the loop ends once nothing is queued and no request is attached.
                while (_pending.Count == 0 && !(_stopping && _active == 0)) Monitor.Wait(_gate);
                if (_pending.Count == 0) return;
                WaitForStragglers();
                TakeTick();
            }
            RunTick();
        }
    }

    // Requests between two steps submit within microseconds; wait for them, briefly, unless the tick is full.
    private void WaitForStragglers()
    {
        var grace = _stragglerWait ?? TimeSpan.FromSeconds(Math.Clamp(_lastCallSeconds / 4, MinGrace.TotalSeconds, MaxGrace.TotalSeconds));
        long start = Stopwatch.GetTimestamp();
        while (!_stopping && _pendingRows < MaxRows && _pending.Count < _active)
        {
            var left = grace - Stopwatch.GetElapsedTime(start);
            if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) return;
        }
    }

    private void TakeTick()
    {
        _tick.Clear();
        int rows = 0;
        while (_pending.First is { } node)
        {
            var s = node.Value;
            int left = s.Rows - s.RowsDone;
            if (rows + left > MaxRows)
            {
                // Only a submission larger than a whole tick is split, and only when it heads the tick.
                if (rows > 0) break;
                left = MaxRows;
            }
            int at = rows;
            for (int r = 0; r < left; r++)
            {
                _points[at + r] = s.Point;
                _labels[at + r] = s.Labels is null ? 0 : s.Labels[s.RowsDone + r];
            }
            s.Input.AsSpan(s.RowsDone * _sampleSize, left * _sampleSize).CopyTo(_x.AsSpan(at * _sampleSize));
            _tick.Add((s, s.RowsDone, left, at));
            rows += left;
            _pendingRows -= left;
            s.State = SubmissionState.Running;
            if (s.RowsDone + left == s.Rows)
            {
                _pending.RemoveFirst();
                s.Node = null;
            }
            else
            {
                s.RowsDone += left; // the rest heads the next tick
                break;
            }
        }
    }

    private void RunTick()
    {
        int rows = 0;
        foreach (var t in _tick) rows += t.Rows;
        Exception? error = null;
        int calls = 0;
        long start = Stopwatch.GetTimestamp();
        try
        {
            calls = _model.Denoise(_x.AsSpan(0, rows * _sampleSize), _points.AsSpan(0, rows),
                _model.TakesClassLabels ? _labels.AsSpan(0, rows) : [], _denoised.AsSpan(0, rows * _sampleSize));
        }
        catch (Exception e)
        {
            error = e;
        }
        var elapsed = Stopwatch.GetElapsedTime(start);
        _lastCallSeconds = elapsed.TotalSeconds;
        if (error is null) _observer?.TickCompleted(rows, calls, elapsed);
        lock (_gate)
        {
            foreach (var (s, first, n, at) in _tick)
            {
                if (s.State == SubmissionState.Abandoned) continue;
                if (error is null)
                    _denoised.AsSpan(at * _sampleSize, n * _sampleSize).CopyTo(s.Output.AsSpan(first * _sampleSize));
                else
                    s.Error = error;
                if (first + n == s.Rows || error is not null)
                {
                    if (s.Node is not null) Remove(s); // a split submission that failed part way
                    s.State = SubmissionState.Done;
                    s.Done.Set();
                }
                else
                {
                    s.State = SubmissionState.Pending; // its remaining rows still head the queue
                }
            }
            _tick.Clear();
        }
    }
}

/// <summary>Where a <see cref="Submission"/> is.</summary>
public enum SubmissionState
{
    /// <summary>Queued, waiting for a tick.</summary>
    Pending,

    /// <summary>In the model call running now.</summary>
    Running,

    /// <summary>Evaluated (or failed): <see cref="Submission.Output"/> or <see cref="Submission.Error"/> holds the answer.</summary>
    Done,

    /// <summary>Its request went away; its rows are dropped.</summary>
    Abandoned,
}

/// <summary>
/// One model evaluation a request asks for: its rows at one point, with their labels. A denoiser
/// owns one and reuses it every step, so queuing allocates nothing.
/// </summary>
public sealed class Submission
{
    /// <summary>Buffers for <paramref name="rows"/> rows of <paramref name="sampleSize"/> values.</summary>
    /// <param name="rows">Rows evaluated per step.</param>
    /// <param name="sampleSize">Values per row.</param>
    /// <param name="labels">One class label per row, or null when the model takes none.</param>
    public Submission(int rows, int sampleSize, long[]? labels)
    {
        Rows = rows;
        Input = new float[rows * sampleSize];
        Output = new float[rows * sampleSize];
        Labels = labels;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>The noisy rows.</summary>
    public float[] Input { get; }

    /// <summary>Receives the x0 estimates.</summary>
    public float[] Output { get; }

    /// <summary>Each row's class label, or null.</summary>
    public long[]? Labels { get; }

    /// <summary>Where the rows are on the noise process.</summary>
    public TimePoint Point { get; set; }

    /// <summary>Where it is now.</summary>
    public SubmissionState State { get; internal set; }

    /// <summary>The failure of the model call, if it failed.</summary>
    public Exception? Error { get; internal set; }

    internal int RowsDone { get; set; }

    internal LinkedListNode<Submission>? Node { get; set; }

    internal ManualResetEventSlim Done { get; } = new(false);

    internal void Reset()
    {
        State = SubmissionState.Pending;
        Error = null;
        RowsDone = 0;
        Done.Reset();
    }
}
