using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Infrastructure;

/// <summary>Records log entries at Warning and above, to assert that a client's fault is never logged as an Error.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

    public IEnumerable<string> Errors => Entries.Where(e => e.Level >= LogLevel.Error)
        .Select(e => $"{e.Category}: {e.Message} {e.Exception}");

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose() { }

    private sealed class Recorder(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
        }
    }
}
