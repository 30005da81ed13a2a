namespace Router.Host.RequestLog;

/// <summary>What a rollup table groups requests by, besides its bucket and node.</summary>
public enum RollupGrouping
{
    /// <summary>
    /// Model, provider, key, status, error origin and cache at once: the tables written before <see cref="RollupSplit"/>, read
    /// (and written) only for the days before it. A row per key and model made a day of a busy log thousands of rows long.
    /// </summary>
    Combined,

    /// <summary>Model, provider, status, error origin and cache: everything but the key, for all but the tables per key.</summary>
    Model,

    /// <summary>Key and cache only, for the tables and series per key.</summary>
    Key,
}

/// <summary>One rollup table: a tier's buckets grouped one way.</summary>
public readonly record struct RollupTable(RollupTier Tier, RollupGrouping Grouping)
{
    private static readonly string[] CombinedKeys = ["bucket", "node", "model", "provider", "key_id", "status", "error_origin", "cache_hit"];
    private static readonly string[] ModelKeys = ["bucket", "node", "model", "provider", "status", "error_origin", "cache_hit"];
    private static readonly string[] KeyKeys = ["bucket", "node", "key_id", "cache_hit"];

    public string Name => Grouping switch
    {
        RollupGrouping.Combined => RollupTiers.Table(Tier),
        RollupGrouping.Model => RollupTiers.Table(Tier) + "_by_model",
        _ => RollupTiers.Table(Tier) + "_by_key",
    };

    /// <summary>The columns that say which requests a row counts; absent values are stored as '' (a key column cannot be NULL).</summary>
    public string[] KeyColumns => Grouping switch
    {
        RollupGrouping.Combined => CombinedKeys,
        RollupGrouping.Model => ModelKeys,
        _ => KeyKeys,
    };

    /// <summary>
    /// The row of this table, in <paramref name="bucket"/> (<see cref="RollupTiers.Key"/> of its time), that counts the requests
    /// of <paramref name="minute"/>: a key of the minute tier grouped by every column (<see cref="MinuteOf"/>).
    /// </summary>
    public RollupKey Of(RollupKey minute, string bucket) => Grouping switch
    {
        RollupGrouping.Combined => minute with { Bucket = bucket },
        RollupGrouping.Model => minute with { Bucket = bucket, KeyId = "" },
        _ => new RollupKey(bucket, minute.Node, "", "", minute.KeyId, 0, "", minute.CacheHit),
    };

    /// <summary>The minute tier's row, grouped by every column, that counts <paramref name="entry"/>, logged by <paramref name="node"/>.</summary>
    public static RollupKey MinuteOf(RequestLogEntry entry, string node, string bucket) =>
        new(bucket, node, entry.RequestedModel ?? "", entry.Provider ?? "", entry.KeyId ?? "", entry.Status, entry.ErrorOrigin ?? "",
            entry.CacheHit ? 1 : 0);
}
