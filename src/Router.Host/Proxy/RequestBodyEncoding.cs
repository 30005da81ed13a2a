using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Unicode;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Proxy;

/// <summary>
/// JSON must be UTF-8 text, and System.Text.Json checks the strings it decodes (the typed fields such as
/// <c>model</c>) but keeps every other field as raw bytes, unchecked: a translation or the cache key reading one later
/// would fail with a 500, and a provider reached without translation would be sent the broken text. The body is checked
/// once on arrival instead, so broken text is a 400 naming the field it is in: bytes that are no UTF-8, or a
/// <c>\uXXXX</c> escape of half a UTF-16 surrogate pair, which JSON's grammar allows and no string can hold.
/// </summary>
public static class RequestBodyEncoding
{
    public static void RequireValidText(ProxyRequest request)
    {
        if (request.Rest is null) return;
        foreach (var (name, value) in request.Rest)
        {
            var raw = JsonMarshal.GetRawUtf8Value(value);
            if (!Utf8.IsValid(raw))
                throw RouterError.InvalidRequest($"The request body is not valid UTF-8: '{name}' holds bytes that are no UTF-8 text.", name, "invalid_utf8");
            if (HasLoneSurrogateEscape(raw))
                throw RouterError.InvalidRequest(
                    $"The request body is not valid Unicode: '{name}' holds a \\u escape of half a surrogate pair (D800-DFFF) without its other half.",
                    name, "invalid_unicode");
        }
    }

    /// <summary>
    /// Whether <paramref name="json"/> (one value of a parsed document) escapes a high surrogate not followed at once by an
    /// escaped low one, or a low one on its own. Only <c>\u</c> is looked for, so a prompt's many <c>\n</c> and <c>\"</c> are
    /// passed over at the speed of a search.
    /// </summary>
    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        for (var from = 0; ;)
        {
            var found = json[from..].IndexOf("\\u"u8);
            if (found < 0) return false;
            var at = from + found;
            from = at + 2;
            if (!StartsEscape(json, at)) continue; // "\\u": an escaped backslash, then the letter u
            var unit = CodeUnit(json, at);
            if (char.IsLowSurrogate(unit)) return true;
            if (!char.IsHighSurrogate(unit)) continue;
            var low = at + 6;
            if (low + 6 > json.Length || !json[low..].StartsWith("\\u"u8) || !char.IsLowSurrogate(CodeUnit(json, low))) return true;
            from = low + 6;
        }
    }

    /// <summary>Whether the backslash at <paramref name="at"/> starts an escape: it follows an even number of backslashes.</summary>
    private static bool StartsEscape(ReadOnlySpan<byte> json, int at)
    {
        var before = at;
        while (before > 0 && json[before - 1] == (byte)'\\') before--;
        return (at - before) % 2 == 0;
    }

    /// <summary>The UTF-16 code unit of the <c>\uXXXX</c> escape at <paramref name="at"/> (the parser has checked its four hex digits).</summary>
    private static char CodeUnit(ReadOnlySpan<byte> json, int at) =>
        (char)ushort.Parse(json.Slice(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
