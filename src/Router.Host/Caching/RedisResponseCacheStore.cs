using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Router.Contracts.Wire;
using StackExchange.Redis;

namespace Router.Host.Caching;

/// <summary>
/// Cached answers in Redis, shared by every router that points at it. Keys are
/// <c>router:cache:{namespace}:{model}:{hash}</c> with each component escaped (see <see cref="EscapeComponent"/>),
/// so a flush can SCAN for a model and/or namespace without names acting as glob patterns; values are a small
/// binary envelope; the TTL is Redis's own (SET PX/EX).
/// <para>
/// Redis going away never fails or stalls a request for long: every call is bounded by short timeouts
/// (about a second), a read is then a miss and a write is skipped, <see cref="Health"/> turns
/// <see cref="CacheHealthState.Degraded"/> and one warning is logged per 30 s while the outage lasts; the
/// next successful call turns it back to <see cref="CacheHealthState.Ok"/> with one information line.
/// </para>
/// </summary>
public sealed class RedisResponseCacheStore : IResponseCacheStore, IAsyncDisposable
{
    public const string KeyPrefix = "router:cache:";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReconnectInterval = TimeSpan.FromSeconds(1);
    private static readonly SearchValues<char> Special = SearchValues.Create("%:*?[]\\");
    // 2: the producer follows the body. An entry of an older version is a miss.
    private const byte EnvelopeVersion = 2;

    private readonly string _endpoint;
    private readonly ILogger<RedisResponseCacheStore> _logger;
    private readonly TimeProvider _clock;
    private readonly ConfigurationOptions _options;
    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer> _connection;
    private DateTimeOffset _connectStartedAt;
    private CacheHealth _health = CacheHealth.Ok;
    private DateTimeOffset _lastWarningAt;
    private bool _disposed;
    private volatile bool _everConnected;

    public RedisResponseCacheStore(string endpoint, ILogger<RedisResponseCacheStore> logger, TimeProvider clock)
    {
        _endpoint = endpoint;
        _logger = logger;
        _clock = clock;
        _options = new ConfigurationOptions
        {
            EndPoints = { endpoint },
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
            SyncTimeout = 1000,
            AsyncTimeout = 1000,
            ConnectRetry = 1,
            // While disconnected, commands fail at once instead of queueing until they time out.
            BacklogPolicy = BacklogPolicy.FailFast,
            ReconnectRetryPolicy = new LinearRetry(500),
            AllowAdmin = false,
            ClientName = "router-cache",
        };
        _connectStartedAt = clock.GetUtcNow();
        _connection = ConnectionMultiplexer.ConnectAsync(_options);
    }

    public CacheHealth Health { get { lock (_gate) return _health; } }

    public async Task<CachedResponse?> GetAsync(CacheEntryKey key, CancellationToken ct)
    {
        var value = await Call(async db => await db.StringGetAsync(RedisKeyOf(key)), RedisValue.Null, ct);
        if (value.IsNull) return null;
        return TryDecode((byte[])value!, out var response) ? response : null;
    }

    public async Task SetAsync(CacheEntryKey key, CachedResponse value, TimeSpan ttl, CancellationToken ct)
    {
        if (ttl <= TimeSpan.Zero) return;
        var envelope = Encode(value);
        await Call(async db => await db.StringSetAsync(RedisKeyOf(key), envelope, ttl, When.Always), false, ct);
    }

    /// <summary>Removes the entries in <paramref name="scope"/>; when Redis is unreachable, removes nothing, returns 0 and <see cref="Health"/> says why.</summary>
    public async Task<long> FlushAsync(CacheScope scope, CancellationToken ct)
    {
        var pattern = PatternOf(scope);
        try
        {
            var connection = await Connection(ct);
            var db = connection.GetDatabase();
            long removed = 0;
            foreach (var server in connection.GetServers())
            {
                if (server.IsConnected && server.IsReplica) continue;
                var batch = new List<RedisKey>(256);
                await foreach (var key in server.KeysAsync(db.Database, pattern, pageSize: 500).WithCancellation(ct))
                {
                    batch.Add(key);
                    if (batch.Count < 256) continue;
                    removed += await db.KeyDeleteAsync([.. batch]);
                    batch.Clear();
                }
                if (batch.Count > 0) removed += await db.KeyDeleteAsync([.. batch]);
            }
            Succeeded();
            return removed;
        }
        catch (Exception e) when (IsOutage(e) && !ct.IsCancellationRequested)
        {
            Failed(e);
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer> connection;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            connection = _connection;
        }
        try
        {
            var multiplexer = await connection.WaitAsync(TimeSpan.FromSeconds(5));
            await multiplexer.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A connection that never came up has nothing to close.
        }
    }

    /// <summary>The Redis key of an entry.</summary>
    public static string RedisKeyOf(CacheEntryKey key) =>
        $"{KeyPrefix}{EscapeComponent(key.Namespace)}:{EscapeComponent(key.Model)}:{EscapeComponent(key.Hash)}";

    /// <summary>The SCAN MATCH pattern of a flush scope: a literal for each field given, <c>*</c> for the rest.</summary>
    public static string PatternOf(CacheScope scope) =>
        scope is { Namespace: null, Model: null, EntryId: null }
            ? KeyPrefix + "*"
            : $"{KeyPrefix}{Part(scope.Namespace)}:{Part(scope.Model)}:{Part(scope.EntryId)}";

    private static string Part(string? component) => component is null ? "*" : EscapeComponent(component);

    /// <summary>
    /// Percent-escapes <c>% : * ? [ ] \</c>: an escaped component has no separator and nothing a glob
    /// pattern would interpret, so <c>router:cache:*:{model}:*</c> matches exactly that model's keys.
    /// </summary>
    public static string EscapeComponent(string component)
    {
        if (component.AsSpan().IndexOfAny(Special) < 0) return component;
        var escaped = new StringBuilder(component.Length + 8);
        foreach (var c in component)
        {
            if (Special.Contains(c)) escaped.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            else escaped.Append(c);
        }
        return escaped.ToString();
    }

    private async Task<T> Call<T>(Func<IDatabase, Task<T>> command, T fallback, CancellationToken ct)
    {
        try
        {
            var result = await Run().WaitAsync(CallTimeout, ct);
            Succeeded();
            return result;
        }
        catch (Exception e) when (IsOutage(e) && !ct.IsCancellationRequested)
        {
            Failed(e);
            return fallback;
        }

        async Task<T> Run()
        {
            var multiplexer = await Connection(ct);
            // Fail-fast applies to outages; right after start the first connection is only on its way, so wait for it.
            while (!_everConnected && !multiplexer.IsConnected) await Task.Delay(10, ct);
            return await command(multiplexer.GetDatabase());
        }
    }

    private Task<ConnectionMultiplexer> Connection(CancellationToken ct)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // The multiplexer reconnects by itself; only a connect attempt that failed outright is started again.
            if (_connection.IsFaulted || _connection.IsCanceled)
            {
                var now = _clock.GetUtcNow();
                if (now - _connectStartedAt >= ReconnectInterval)
                {
                    _connectStartedAt = now;
                    _connection = ConnectionMultiplexer.ConnectAsync(_options);
                }
            }
            return _connection.WaitAsync(CallTimeout, ct);
        }
    }

    private static bool IsOutage(Exception e) =>
        e is RedisException or RedisTimeoutException or TimeoutException or SocketException or ObjectDisposedException or IOException
        || (e is AggregateException { InnerException: { } inner } && IsOutage(inner));

    private void Failed(Exception e)
    {
        var now = _clock.GetUtcNow();
        var detail = $"redis unreachable: {e.Message}";
        bool warn;
        lock (_gate)
        {
            warn = _health.State == CacheHealthState.Ok || now - _lastWarningAt >= WarningInterval;
            if (warn) _lastWarningAt = now;
            _health = new CacheHealth(CacheHealthState.Degraded, detail);
        }
        if (warn)
            _logger.LogWarning("Response cache: redis at {Endpoint} is unreachable, requests go uncached until it is back: {Reason}",
                _endpoint, e.Message);
    }

    private void Succeeded()
    {
        _everConnected = true;
        bool recovered;
        lock (_gate)
        {
            recovered = _health.State == CacheHealthState.Degraded;
            if (recovered) _health = CacheHealth.Ok;
        }
        if (recovered) _logger.LogInformation("Response cache: redis at {Endpoint} is reachable again", _endpoint);
    }

    internal static byte[] Encode(CachedResponse value)
    {
        using var stream = new MemoryStream(value.Body.Length + 64);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(EnvelopeVersion);
            writer.Write(value.StoredAt.UtcTicks);
            writer.Write(value.Cost);
            var usage = value.Usage;
            writer.Write(usage.PromptTokens);
            writer.Write(usage.CompletionTokens);
            writer.Write(usage.CachedPromptTokens);
            writer.Write(usage.CacheWriteTokens);
            writer.Write(usage.ReasoningTokens);
            writer.Write(usage.ReportedCost.HasValue);
            if (usage.ReportedCost is { } reported) writer.Write(reported);
            writer.Write(value.Body.Length);
            writer.Write(value.Body);
            writer.Write(value.Producer.Model);
            writer.Write(value.Producer.Provider);
            writer.Write(value.Producer.UpstreamModel);
        }
        return stream.ToArray();
    }

    internal static bool TryDecode(byte[] envelope, out CachedResponse? value)
    {
        value = null;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(envelope), Encoding.UTF8);
            if (reader.ReadByte() != EnvelopeVersion) return false;
            var storedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var cost = reader.ReadDecimal();
            var usage = new TokenUsage(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
            if (reader.ReadBoolean()) usage = usage with { ReportedCost = reader.ReadDecimal() };
            var length = reader.ReadInt32();
            var body = reader.ReadBytes(length);
            if (body.Length != length) return false;
            var producer = new CacheProducer(reader.ReadString(), reader.ReadString(), reader.ReadString());
            value = new CachedResponse(body, usage, cost, storedAt, producer);
            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or OverflowException)
        {
            return false; // not an entry this version wrote: a miss
        }
    }
}
