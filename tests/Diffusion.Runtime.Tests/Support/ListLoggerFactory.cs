using Microsoft.Extensions.Logging;

namespace Diffusion.Runtime.Tests.Support;

/// <summary>Collects every log entry of every category, for tests that check what the runtime logs.</summary>
public sealed class ListLoggerFactory : ILoggerFactory, ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    /// <summary>The entries so far, oldest first.</summary>
    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get { lock (_entries) return _entries.ToList(); }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) { }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries) _entries.Add((logLevel, formatter(state, exception)));
    }

    public void Dispose() { }
}
