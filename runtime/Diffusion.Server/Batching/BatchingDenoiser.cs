using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Server.Batching;

/// <summary>
/// The denoiser a request's sampler calls: each call queues the request's rows on the model's
/// <see cref="StepBatcher"/> and blocks until the shared model call of that tick returns them. The
/// sampler cannot tell it from a denoiser of its own.
/// </summary>
public sealed class BatchingDenoiser : IDenoiser
{
    private readonly StepBatcher _batcher;
    private readonly Submission _submission;
    private readonly CancellationToken _cancellation;
    private readonly Action<ReadOnlyMemory<float>, TimePoint>? _observer;
    private bool _disposed;

    /// <summary>Attaches to <paramref name="batcher"/> for batches of <paramref name="rows"/> rows.</summary>
    /// <param name="batcher">The model's batcher.</param>
    /// <param name="rows">Rows per call (the sampler's batch; twice it under guidance).</param>
    /// <param name="sampleSize">Values per row.</param>
    /// <param name="labels">One class label per row, or null when the model takes none.</param>
    /// <param name="cancellation">The request's token: cancelling it releases the rows at once.</param>
    /// <param name="observer">Sees every evaluation's x0 rows (for previews); null for none.</param>
    public BatchingDenoiser(StepBatcher batcher, int rows, int sampleSize, long[]? labels, CancellationToken cancellation,
        Action<ReadOnlyMemory<float>, TimePoint>? observer = null)
    {
        _batcher = batcher;
        _submission = new Submission(rows, sampleSize, labels);
        _cancellation = cancellation;
        _observer = observer;
        batcher.Attach();
    }

    /// <inheritdoc />
    public void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised)
    {
        x.CopyTo(_submission.Input);
        _submission.Point = point;
        _batcher.Evaluate(_submission, _cancellation);
        _submission.Output.AsSpan(0, denoised.Length).CopyTo(denoised);
        _observer?.Invoke(_submission.Output, point);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _batcher.Detach();
    }
}
