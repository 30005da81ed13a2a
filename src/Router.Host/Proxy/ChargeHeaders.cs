using System.Globalization;

namespace Router.Host.Proxy;

/// <summary>
/// What a response tells its caller about money, so cost is visible without the dashboard: what this
/// response cost, and what the key's budget has left after it (only for keys with a budget).
/// </summary>
public static class ChargeHeaders
{
    public const string Cost = "x-router-response-cost";
    public const string KeyRemaining = "x-router-key-remaining";

    /// <param name="keyRemaining">The key's budget left besides this request, as its admission found it.</param>
    public static void Write(IHeaderDictionary headers, decimal cost, decimal? keyRemaining)
    {
        headers[Cost] = Format(cost);
        if (keyRemaining is { } remaining) headers[KeyRemaining] = Format(Math.Max(0, remaining - cost));
    }

    public static string Format(decimal usd) => usd.ToString("0.##########", CultureInfo.InvariantCulture);
}
