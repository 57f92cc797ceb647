using System.Globalization;
using Diffusion.Training.Training;
using Spectre.Console;

namespace Diffusion.Training.Cli.Commands;

/// <summary>
/// Shows training progress (of a diffusion model or a classifier): a live bar with the loss and throughput on a terminal, plain lines
/// (one per log interval) when the output is redirected. Checkpoint and preview messages are
/// printed as lines in both cases.
/// </summary>
internal static class TrainingConsole
{
    public static TResult Run<TResult>(long firstStep, long logEvery, Func<IProgress<TrainingProgress>, Action<string>, TResult> train)
    {
        if (Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return train(new PlainLines(logEvery), message => Console.Error.WriteLine(message));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        TResult result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                result = train(new Bar(task, firstStep), message => console.MarkupLine(Markup.Escape(message)));
            });
        return result;
    }

    public static string Describe(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"step {p.Step}/{p.Steps}  loss {p.AverageLoss:F4}  lr {p.LearningRate:0.00e+0}  grad {p.GradientNorm:F2}  {p.SamplesPerSecond:F0} samples/s");

    private sealed class Bar(ProgressTask task, long firstStep) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            // The bar covers this session's steps, so its time estimate is not skewed by a resumed start.
            task.MaxValue = Math.Max(1, value.Steps - firstStep);
            task.Value = value.Step - firstStep;
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"step {value.Step}/{value.Steps} loss {value.AverageLoss:F4} {value.SamplesPerSecond:F0}/s"));
        }
    }

    private sealed class PlainLines(long every) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step % every == 0 || value.Step == value.Steps) Console.Error.WriteLine(Describe(value));
        }
    }
}
