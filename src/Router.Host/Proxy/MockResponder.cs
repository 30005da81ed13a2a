using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Pricing;
using Router.Host.Translation;

namespace Router.Host.Proxy;

/// <summary>
/// Answers a request that carries LiteLLM's <c>mock_response</c> with that text, without calling a provider, as LiteLLM
/// does for tests: a <c>chat.completion</c> (or <c>text_completion</c>), or the stream of its chunks ending in
/// <c>[DONE]</c>. The key is admitted as for any request (its models, rate limits and budget apply, so a test sees what
/// production would refuse) and settled with the usage the router's tokenizer counts, at cost 0: nothing was bought.
/// </summary>
public sealed class MockResponder(Admission admission)
{
    /// <returns>What the attempts would have come to, for the request log: an answer by no deployment, at no cost.</returns>
    public async Task<AttemptsResult> AnswerAsync(
        HttpContext context, ProxyOperation operation, AuthenticatedKey key, ProxyRequest request, string model, string requestId, string text,
        RequestTrace trace)
    {
        var usage = new TokenUsage(PromptTokenBound.Count(request, key.KeyId), TokenCounter.CountTokens(text), 0);
        decimal? keyRemaining = null;
        // The master key may use every model and has no limits: for it there is nothing to decide.
        if (!key.IsMaster)
        {
            var budgetId = RequestIds.ForKeyBudget(context, requestId); // the key counts each id once: not the caller's own
            keyRemaining = (await admission.AdmitAsync(key, budgetId, model, deploymentId: "", context.RequestAborted,
                estimatedTokens: usage.TotalTokens)).KeyRemaining;
            // Settled at once: the tokens count against the key's rate limits, and nothing is left reserved if the client leaves.
            admission.SettleKey(key, budgetId, model, usage);
        }
        ChargeHeaders.Write(context.Response.Headers, 0, keyRemaining);
        var answer = new ResponseContext((operation == ProxyOperation.Completions ? "cmpl-" : "chatcmpl-") + requestId, model,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(), request.StreamOptions?.IncludeUsage == true);
        var frames = operation.CanStream && request.IsStreaming ? MockAnswers.Frames(operation, answer, text, usage) : null;
        if (frames is null)
        {
            var body = MockAnswers.Body(operation, answer, text, usage);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
        else
        {
            context.Response.ContentType = "text/event-stream; charset=utf-8";
            context.Response.Headers.CacheControl = "no-cache";
            foreach (var frame in frames)
            {
                trace.FrameSent();
                await context.Response.Body.WriteAsync(frame, context.RequestAborted);
            }
        }
        return new AttemptsResult(CallOutcome.Answered(usage, TimeSpan.Zero), Attempts: 0, ServedBy: null);
    }
}
