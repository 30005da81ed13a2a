using Router.Contracts.Wire;

namespace Router.Host.Admin;

/// <summary>
/// Keeps the last <see cref="Capacity"/> lines this node logged, formatted, for <c>router log peek</c>: an
/// operator sees what a node said lately without a shell on its machine. It holds what the console shows
/// (the same filters apply to every logger provider), and the router logs no secret, so neither does this.
/// </summary>
public sealed class LogRing : ILoggerProvider
{
    public const int DefaultCapacity = 1000;

    private readonly LogLineView[] _lines;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private long _written;

    public LogRing(int capacity = DefaultCapacity, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _lines = new LogLineView[capacity];
        _clock = clock ?? TimeProvider.System;
    }

    public int Capacity => _lines.Length;

    /// <summary>The last <paramref name="count"/> lines at <paramref name="minimum"/> or above, oldest first.</summary>
    public IReadOnlyList<LogLineView> Last(int count, LogLevel minimum = LogLevel.Trace)
    {
        lock (_gate)
        {
            var held = (int)Math.Min(_written, _lines.Length);
            var result = new List<LogLineView>(Math.Min(count, held));
            // Newest first until enough, then reversed.
            for (var i = 1; i <= held && result.Count < count; i++)
            {
                var line = _lines[(_written - i) % _lines.Length];
                if (LevelOf(line.Level) >= minimum) result.Add(line);
            }
            result.Reverse();
            return result;
        }
    }

    private void Add(LogLineView line)
    {
        lock (_gate)
        {
            _lines[_written % _lines.Length] = line;
            _written++;
        }
    }

    public ILogger CreateLogger(string categoryName) => new RingLogger(this, categoryName);

    public void Dispose()
    {
    }

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "information",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };

    public static LogLevel LevelOf(string name) => name switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "information" or "info" => LogLevel.Information,
        "warning" or "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        _ => LogLevel.None,
    };

    private sealed class RingLogger(LogRing ring, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            // The exception's type and message, not its stack: enough to know what failed, short enough to read in a table.
            if (exception is not null) message = $"{message} ({exception.GetType().Name}: {exception.Message})";
            ring.Add(new LogLineView(ring._clock.GetUtcNow(), LevelName(logLevel), category, message));
        }
    }
}
