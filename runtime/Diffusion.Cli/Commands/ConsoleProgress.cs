using Diffusion.Runtime.Generation;
using Spectre.Console;

namespace Diffusion.Cli.Commands;

/// <summary>
/// A progress bar on a terminal; plain lines on <c>error</c> (every tenth of the way) when it is
/// redirected or not the console.
/// </summary>
internal static class ConsoleProgress
{
    public static T Run<T>(string title, TextWriter error, Func<IProgress<GenerationProgress>, T> work)
    {
        if (!ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return work(new PlainLines(title, error));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(title, maxValue: 1.0);
                result = work(new Progress(task));
                task.Value = 1.0;
            });
        return result;
    }

    private sealed class Progress(ProgressTask task) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value)
        {
            task.Value = value.Fraction;
            task.Description = $"batch {value.Batch}/{value.Batches} step {value.Step}/{value.Steps}";
        }
    }

    private sealed class PlainLines(string title, TextWriter error) : IProgress<GenerationProgress>
    {
        private int _lastTenth = -1;

        public void Report(GenerationProgress value)
        {
            int tenth = (int)(value.Fraction * 10);
            if (tenth == _lastTenth) return;
            _lastTenth = tenth;
            error.WriteLine($"{title}: batch {value.Batch}/{value.Batches}, step {value.Step}/{value.Steps} ({value.Fraction:P0})");
        }
    }
}
