namespace Router.Host.RequestLog;

/// <summary>One request as the request log keeps it (table <c>requests</c>), with its attempts (<c>request_attempts</c>).</summary>
public sealed record RequestLogEntry
{
    public required DateTimeOffset Time { get; init; }
    public required string RequestId { get; init; }
    public string? KeyId { get; init; }
    public string? KeyPrefix { get; init; }
    /// <summary>The key's alias when the request was made (metrics label; the log's row reads it when written).</summary>
    public string? KeyAlias { get; init; }
    public string? RequestedModel { get; init; }
    /// <summary>The model that served (or gave the last answer), after fallbacks.</summary>
    public string? RoutedModel { get; init; }
    public string? Provider { get; init; }
    public string? Deployment { get; init; }
    public required int Status { get; init; }
    public int? UpstreamStatus { get; init; }
    /// <summary><c>router</c>, <c>provider</c>, or null when the request succeeded.</summary>
    public string? ErrorOrigin { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public int CachedTokens { get; init; }
    public decimal Cost { get; init; }
    /// <summary>The tokens (and so the cost) were counted by the router: the provider reported none, or the answer ended early.</summary>
    public bool Estimated { get; init; }
    public bool CacheHit { get; init; }
    /// <summary>What the cache did (<c>hit</c>, <c>miss</c>, <c>bypass</c>); null when it was off or never asked.</summary>
    public string? Cache { get; init; }
    public decimal SavedCost { get; init; }
    public double LatencyMs { get; init; }
    /// <summary>Until the first stream frame reached the client; null when not streamed.</summary>
    public double? TtftMs { get; init; }
    /// <summary>Total latency minus the time spent waiting on providers.</summary>
    public double OverheadMs { get; init; }
    /// <summary>The provider's error body as JSON text (the error's <c>upstream_body</c>), when there was one.</summary>
    public string? UpstreamError { get; init; }
    public IReadOnlyList<AttemptLogEntry> Attempts { get; init; } = [];
    /// <summary>The client's <c>metadata</c> object (LiteLLM's), as compact JSON; null when it sent none.</summary>
    public string? Metadata { get; init; }
    /// <summary>The client's tags (<c>tags</c> and <c>metadata.tags</c>), each once.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>The request carried <c>mock_response</c>: the router answered it, no provider was called.</summary>
    public bool Mocked { get; init; }

    /// <summary>Rows this entry writes: its own and one per attempt.</summary>
    public int RowCount => 1 + Attempts.Count;
}

/// <summary>One upstream attempt of a request; <paramref name="Verdict"/> says what the router did next.</summary>
public sealed record AttemptLogEntry(
    int Number, string? Provider, string? Deployment, int Status, int? UpstreamStatus, double LatencyMs, string? ErrorOrigin, string Verdict);
