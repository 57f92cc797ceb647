using Microsoft.Extensions.Logging;

namespace Diffusion.Cli.Commands;

/// <summary>
/// Writes the runtime's warnings and errors (e.g. why <c>--device auto</c> fell back to the CPU)
/// to the command's error writer, one message per line. Lower levels stay quiet.
/// </summary>
internal sealed class ErrorWriterLoggerFactory(TextWriter error) : ILoggerFactory, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the CLI logs to its error writer only.");

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) error.WriteLine(formatter(state, exception));
    }

    public void Dispose()
    {
    }
}
