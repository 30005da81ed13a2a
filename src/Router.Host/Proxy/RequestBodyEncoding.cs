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
    /// Whether <paramref name="json"/> (one value of a parsed document, so every backslash starts an escape inside a string)
    /// escapes a high surrogate not followed at once by an escaped low one, or a low one on its own.
    /// </summary>
    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        for (var at = json.IndexOf((byte)'\\'); at >= 0;)
        {
            var next = at + 2; // \n, \", \\ and the like
            if (json[at + 1] == (byte)'u')
            {
                var unit = CodeUnit(json, at);
                next = at + 6;
                if (char.IsLowSurrogate(unit)) return true;
                if (char.IsHighSurrogate(unit))
                {
                    if (next + 6 > json.Length || json[next] != (byte)'\\' || json[next + 1] != (byte)'u' || !char.IsLowSurrogate(CodeUnit(json, next)))
                        return true;
                    next += 6;
                }
            }
            var further = json[next..].IndexOf((byte)'\\');
            at = further < 0 ? -1 : next + further;
        }
        return false;
    }

    /// <summary>The UTF-16 code unit of the <c>\uXXXX</c> escape at <paramref name="at"/> (the parser has checked its four hex digits).</summary>
    private static char CodeUnit(ReadOnlySpan<byte> json, int at) =>
        (char)ushort.Parse(json.Slice(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
