using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Router.Contracts.Configuration;
using StackExchange.Redis;

namespace Router.Host.Caching;

/// <summary>
/// Cached answers in Redis, shared by every router that points at it. Keys are
/// <c>router:cache:{namespace}:{model}:{hash}</c> with each component escaped (see <see cref="EscapeComponent"/>),
/// so a flush can SCAN for a model and/or namespace without names acting as glob patterns; values are a small
/// binary envelope authenticated under the cache secret (<see cref="CacheEntryEnvelope"/>): one that fails the
/// check is a miss, counted in <see cref="RejectedEntries"/>, never served. The TTL is Redis's own (SET PX/EX).
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

    /// <summary>Where the entries are, as logs and health show it: no password.</summary>
    private readonly string _description;
    private readonly string? _password;
    private readonly CacheEntryEnvelope _envelope;
    private readonly RejectedCacheEntries _rejected;
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

    /// <param name="options">From <see cref="RedisConnectionOptions.Build"/>.</param>
    public RedisResponseCacheStore(ConfigurationOptions options, CacheEntryEnvelope envelope, ILogger<RedisResponseCacheStore> logger, TimeProvider clock)
    {
        _options = options;
        _description = RedisConnectionOptions.Describe(options);
        _password = options.Password;
        _envelope = envelope;
        _logger = logger;
        _clock = clock;
        _rejected = new RejectedCacheEntries(logger, clock);
        _connectStartedAt = clock.GetUtcNow();
        _connection = ConnectionMultiplexer.ConnectAsync(_options);
    }

    /// <summary>
    /// The store for <paramref name="cache"/>'s Redis, authenticating entries under the configured secret or, on a
    /// single node without one, the secret kept in <paramref name="dataDir"/> (made there on first start).
    /// </summary>
    public static RedisResponseCacheStore Connect(CacheSettings cache, string dataDir, ILogger<RedisResponseCacheStore> logger, TimeProvider clock)
    {
        var secret = CacheSecretStore.Resolve(cache.Secret, dataDir);
        if (secret.GeneratedAt is { } path)
            logger.LogInformation("Response cache: no router.cache.secret is configured; generated one in {Path} (mode 0600) to authenticate the Redis entries", path);
        var options = RedisConnectionOptions.Build(cache);
        logger.LogInformation("Response cache: redis {Redis}", RedisConnectionOptions.Describe(options));
        return new RedisResponseCacheStore(options, new CacheEntryEnvelope(secret.Secret), logger, clock);
    }

    public CacheHealth Health { get { lock (_gate) return _health; } }

    /// <summary>Entries read since start that failed their authentication and were treated as misses.</summary>
    public long RejectedEntries => _rejected.Total;

    public async Task<CachedResponse?> GetAsync(CacheEntryKey key, CancellationToken ct)
    {
        var redisKey = RedisKeyOf(key);
        var value = await Call(async db => await db.StringGetAsync(redisKey), RedisValue.Null, ct);
        if (value.IsNull) return null;
        if (_envelope.TryOpen(redisKey, (byte[])value!, out var response)) return response;
        _rejected.Count();
        return null;
    }

    public async Task SetAsync(CacheEntryKey key, CachedResponse value, TimeSpan ttl, CancellationToken ct)
    {
        if (ttl <= TimeSpan.Zero) return;
        var redisKey = RedisKeyOf(key);
        var envelope = _envelope.Seal(redisKey, value);
        await Call(async db => await db.StringSetAsync(redisKey, envelope, ttl, When.Always), false, ct);
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
        var reason = WithoutPassword(e.Message);
        var detail = $"redis unreachable: {reason}";
        bool warn;
        lock (_gate)
        {
            warn = _health.State == CacheHealthState.Ok || now - _lastWarningAt >= WarningInterval;
            if (warn) _lastWarningAt = now;
            _health = new CacheHealth(CacheHealthState.Degraded, detail);
        }
        if (warn)
            _logger.LogWarning("Response cache: redis at {Endpoint} is unreachable, requests go uncached until it is back: {Reason}",
                _description, reason);
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
        if (recovered) _logger.LogInformation("Response cache: redis at {Endpoint} is reachable again", _description);
    }

    /// <summary>
    /// A client error message as logs and health may show it. StackExchange.Redis's messages name endpoints, not
    /// passwords; this holds even if one some day quotes the configuration.
    /// </summary>
    private string WithoutPassword(string message) =>
        string.IsNullOrEmpty(_password) ? message : message.Replace(_password, "********", StringComparison.Ordinal);
}
