using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Runtime.Models;

/// <summary>
/// An <see cref="InferenceSession"/> shared by a model and the denoisers made from it, freed only
/// when the last of them lets go, so no native call ever runs on a freed session. The owner's
/// <see cref="Close"/> refuses new work, stops the calls in flight (<see cref="RunOptions.Terminate"/>)
/// and drops the owner's reference; each denoiser drops its own when disposed.
/// </summary>
internal sealed class SharedSession
{
    private readonly InferenceSession _session;
    private readonly HashSet<RunOptions> _running = [];
    private readonly string _name;
    private int _references = 1;
    private bool _closed;

    public SharedSession(InferenceSession session, string name)
    {
        _session = session;
        _name = name;
    }

    /// <summary>True once <see cref="Close"/> has been called.</summary>
    public bool IsClosed
    {
        get { lock (_running) return _closed; }
    }

    /// <summary>Takes a reference for a new user of the session (a denoiser).</summary>
    /// <exception cref="ObjectDisposedException">The owner has closed it.</exception>
    public void AddReference()
    {
        lock (_running)
        {
            ThrowIfClosed();
            _references++;
        }
    }

    /// <summary>Drops a reference; the last one frees the session.</summary>
    public void Release()
    {
        lock (_running)
        {
            if (--_references > 0) return;
        }
        _session.Dispose();
    }

    /// <summary>The session; use it only between <see cref="Enter"/> and <see cref="Exit"/>, or while holding a reference.</summary>
    public InferenceSession Session => _session;

    /// <summary>
    /// Starts one call in flight: <see cref="Close"/> will terminate it through
    /// <paramref name="runOptions"/>. Pair with <see cref="Exit"/> in a finally block; the caller
    /// must hold a reference.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The owner has closed the session.</exception>
    public void Enter(RunOptions runOptions)
    {
        lock (_running)
        {
            ThrowIfClosed();
            _running.Add(runOptions);
        }
    }

    /// <summary>Ends a call started by <see cref="Enter"/>.</summary>
    public void Exit(RunOptions runOptions)
    {
        lock (_running) _running.Remove(runOptions);
    }

    /// <summary>The error for a call that failed because the session was closed under it.</summary>
    public ObjectDisposedException ClosedDuringCall() => new(_name, $"{_name} was disposed while a model call was running.");

    /// <summary>Refuses new calls, terminates those in flight, and drops the owner's reference. Returns how many were running.</summary>
    public int Close()
    {
        int running;
        lock (_running)
        {
            if (_closed) return 0;
            _closed = true;
            running = _running.Count;
            foreach (var options in _running) options.Terminate = true;
        }
        Release();
        return running;
    }

    private void ThrowIfClosed()
    {
        if (_closed) throw new ObjectDisposedException(_name, $"{_name} has been disposed: load the model again to keep generating.");
    }
}
