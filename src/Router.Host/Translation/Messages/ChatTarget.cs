namespace Router.Host.Translation.Messages;

/// <summary>What the chat API a Messages request is bridged to has of the fields only some chat APIs take.</summary>
/// <param name="TakesTopK">Whether it knows <c>top_k</c> (OpenAI's does not; Gemini's and most servers' do). Without it, <c>top_k</c> is refused.</param>
/// <param name="TakesUser">
/// Whether it knows <c>user</c> (Gemini's does not). Without it, <c>metadata.user_id</c> (Anthropic's abuse-tracking id, which
/// Claude Code always sends and which changes no answer) is consumed by the bridge rather than passed on to be refused.
/// </param>
public sealed record ChatTarget(bool TakesTopK = true, bool TakesUser = true)
{
    public static readonly ChatTarget Default = new();
}
