using Diffusion.Runtime.Samplers;

namespace Diffusion.Runtime.Generation;

/// <summary>
/// Hears of every step of a generation and turns it into progress reports and, for streaming,
/// <see cref="GenerationStep"/> events carrying x0 previews.
/// </summary>
internal sealed class StepObserver
{
    private readonly IProgress<GenerationProgress>? _progress;
    private readonly Action<GenerationStep>? _onStep;
    private readonly int _previewEvery;

    public StepObserver(IProgress<GenerationProgress> progress) => _progress = progress;

    /// <param name="onStep">Receives every step; <paramref name="previewEvery"/> &gt; 0 also attaches the x0 estimate every that many steps and at the last.</param>
    /// <param name="previewEvery">Preview interval in steps; 0 for no previews.</param>
    public StepObserver(Action<GenerationStep> onStep, int previewEvery)
    {
        _onStep = onStep;
        _previewEvery = previewEvery;
    }

    /// <summary>The callbacks of one batch's sampler run.</summary>
    public (Action<int> OnStep, StepPreview? Preview) ForBatch(int batch, int batches, int firstSample, int steps)
    {
        float[]? pending = null;
        StepPreview? preview = _onStep is not null && _previewEvery > 0
            ? new StepPreview(_previewEvery, (_, denoised) => pending = denoised.ToArray())
            : null;
        return (step =>
        {
            var progress = new GenerationProgress(step + 1, steps, batch, batches);
            _progress?.Report(progress);
            if (_onStep is null) return;
            _onStep(new GenerationStep(progress, firstSample, pending));
            pending = null;
        }, preview);
    }
}
