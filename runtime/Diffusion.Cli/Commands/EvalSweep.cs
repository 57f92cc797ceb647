using System.Diagnostics;
using Diffusion.Runtime;
using Diffusion.Runtime.Evaluation;
using Diffusion.Runtime.Generation;

namespace Diffusion.Cli.Commands;

/// <summary>
/// Generates and scores every (sampler, steps) combination in turn. A combination that cannot
/// run (a step count the spacing cannot place, a sampler that diverges) becomes a note and the
/// sweep goes on; when none runs, the first failure is the error.
/// </summary>
internal static class EvalSweep
{
    /// <summary>The rows that ran and the notes on those that did not.</summary>
    public static (List<EvalRow> Rows, List<string> Skipped) Run(IDiffusionModel model, ISampleEvaluator evaluator,
        IReadOnlyList<GenerationOptions> runs, TextWriter progressWriter, CancellationToken cancellation)
    {
        var rows = new List<EvalRow>();
        var skipped = new List<string>();
        DiffusionException? first = null;
        for (int i = 0; i < runs.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var options = runs[i];
            try
            {
                var clock = Stopwatch.StartNew();
                var samples = ConsoleProgress.Run($"{options.Sampler}, {options.Steps} steps ({i + 1}/{runs.Count})", progressWriter, progress =>
                    Generator.Generate(model, options, progress, cancellation));
                clock.Stop();
                var score = evaluator.Evaluate(samples, cancellation);
                rows.Add(new EvalRow(options.Sampler!, options.Steps, samples.ModelEvaluations, score, clock.Elapsed.TotalSeconds / samples.Count));
            }
            catch (DiffusionException e)
            {
                first ??= e;
                string note = $"{options.Sampler} at {options.Steps} steps skipped: {e.Message}";
                skipped.Add(note);
                progressWriter.WriteLine(note);
            }
        }
        if (rows.Count == 0 && first is not null) throw first;
        return (rows, skipped);
    }
}
