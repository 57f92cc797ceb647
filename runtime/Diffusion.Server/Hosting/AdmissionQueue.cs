namespace Diffusion.Server.Hosting;

/// <summary>
/// First come, first served admission of requests to one model: up to <see cref="MaxInFlight"/>
/// generate at once, up to <see cref="MaxQueue"/> more wait in order, and the rest are refused
/// (the caller answers 429). A waiting request that is cancelled leaves the queue at once.
/// </summary>
public sealed class AdmissionQueue
{
    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource<IDisposable>> _waiting = new();
    private int _inFlight;

    /// <summary>Creates the queue.</summary>
    public AdmissionQueue(int maxInFlight, int maxQueue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueue);
        MaxInFlight = maxInFlight;
        MaxQueue = maxQueue;
    }

    /// <summary>Requests generating at once.</summary>
    public int MaxInFlight { get; }

    /// <summary>Requests that may wait.</summary>
    public int MaxQueue { get; }

    /// <summary>Requests generating now.</summary>
    public int InFlight
    {
        get { lock (_gate) return _inFlight; }
    }

    /// <summary>Requests waiting now.</summary>
    public int Queued
    {
        get { lock (_gate) return _waiting.Count; }
    }

    /// <summary>
    /// Takes a place: a task that completes with a lease (dispose it when the request is done) once
    /// the request may run, or null when the queue is full.
    /// </summary>
    public Task<IDisposable>? TryEnter(CancellationToken cancellation)
    {
        lock (_gate)
        {
            if (_inFlight < MaxInFlight && _waiting.Count == 0)
            {
                _inFlight++;
                return Task.FromResult<IDisposable>(new Lease(this));
            }
            if (_waiting.Count >= MaxQueue) return null;
            var waiter = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
            var node = _waiting.AddLast(waiter);
            if (cancellation.CanBeCanceled)
            {
                var registration = cancellation.Register(() =>
                {
                    lock (_gate)
                    {
                        if (node.List is null) return; // already admitted: the caller disposes the lease
                        _waiting.Remove(node);
                    }
                    waiter.TrySetCanceled(cancellation);
                });
                waiter.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
            }
            return waiter.Task;
        }
    }

    private void Release()
    {
        TaskCompletionSource<IDisposable>? next;
        lock (_gate)
        {
            next = _waiting.First?.Value;
            if (next is null)
            {
                _inFlight--;
                return;
            }
            _waiting.RemoveFirst(); // the slot passes to the head of the queue
        }
        next.TrySetResult(new Lease(this));
    }

    private sealed class Lease(AdmissionQueue queue) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) queue.Release();
        }
    }
}
