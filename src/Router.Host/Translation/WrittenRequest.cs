namespace Router.Host.Translation;

/// <summary>A translated request body, with what the dialect's <see cref="UpstreamCall"/> must say beside it.</summary>
/// <param name="Dropped">The fields left out under the provider's <c>drop-params</c>.</param>
/// <param name="ContentTool">The tool forced to get JSON out of the provider, whose input is the answer (or null).</param>
public sealed record WrittenRequest(byte[] Body, IReadOnlyList<string> Dropped, string? ContentTool = null);
