using System.Diagnostics;
using Akka.Actor;
using Router.Contracts.Configuration;

namespace Router.Host.Cluster;

/// <summary>
/// How the request path asks a key's actor. On one node: once, waiting up to router.admission-timeout. In a
/// pair the key's actor may be moving to this node from a peer that died, and a message sent to it before
/// the peer is downed is lost without a word: so each ask waits <see cref="AskAgainAfter"/> and is sent again
/// until the longer of router.admission-timeout and router.cluster.handover-timeout has passed (a confirmed
/// settlement likewise, by router.settlement's interval and timeout). The messages asked this way are
/// answered alike however often they arrive.
/// </summary>
/// <param name="EachAsk">How long one ask waits for its answer before it is sent again.</param>
/// <param name="Bound">How long the asks may go on in all.</param>
/// <param name="BoundSetting">The setting that bounds them, for the message of a request refused when they time out.</param>
/// <param name="AnsweredHere">Every answer comes from this node (a single node): asked as <see cref="AskedHere"/> does.</param>
public sealed record KeyActorAsks(TimeSpan EachAsk, TimeSpan Bound, string BoundSetting, bool AnsweredHere = false)
{
    /// <summary>How long a lost message holds a request up in a pair: a key is answered at most this long after it has moved.</summary>
    public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(1);

    /// <summary>One ask, as on a single node.</summary>
    public static KeyActorAsks Once(TimeSpan timeout, string setting) => new(timeout, timeout, setting);

    /// <summary>Admission's asks, and those of anything else on the request path that reads a key's actor.</summary>
    public static KeyActorAsks For(RouterSettings settings) =>
        !settings.Cluster.Enabled ? Once(settings.AdmissionTimeout, "router.admission-timeout") with { AnsweredHere = true }
        : settings.AdmissionTimeout > settings.Cluster.HandoverTimeout ? new(AskAgainAfter, settings.AdmissionTimeout, "router.admission-timeout")
        : new(AskAgainAfter, settings.Cluster.HandoverTimeout, "router.cluster.handover-timeout");

    /// <summary>
    /// The actor's answer; <see cref="AskTimeoutException"/> when none came within <see cref="Bound"/>, and
    /// <see cref="OperationCanceledException"/> as soon as <paramref name="ct"/> is cancelled (the client left).
    /// <para>
    /// An ask sent again does not give up on the earlier ones: each waits until the bound, and whichever is answered
    /// first is the answer. The actor may answer slower than <see cref="EachAsk"/> (a confirmation waits for a write
    /// to both nodes, which a loaded peer can take longer than that over): an asker that dropped each ask at the
    /// next would never hear any answer.
    /// </para>
    /// </summary>
    public Task<T> AskAsync<T>(IActorRef actor, object message, CancellationToken ct) =>
        // One ask (on a single node, every request's): nothing to listen to but it, and no state of its own to keep.
        AnsweredHere ? AskedHere.AskAsync<T>(actor, message, Bound, ct)
        : EachAsk >= Bound ? actor.Ask<T>(message, Bound, ct)
        : AskAgainAsync<T>(actor, message, ct);

    private async Task<T> AskAgainAsync<T>(IActorRef actor, object message, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var answered = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var asks = new List<Task<T>>();
        try
        {
            for (var left = Bound; left > TimeSpan.Zero; left = Bound - Stopwatch.GetElapsedTime(started))
            {
                asks.Add(actor.Ask<T>(message, left, answered.Token));
                // The last ask is the one sent with no more than an interval left: after it, only waiting.
                var askAgain = left > EachAsk ? Task.Delay(EachAsk, ct) : null;
                while (asks.Count > 0 && askAgain is not { IsCompleted: true })
                {
                    var first = await Task.WhenAny(askAgain is null ? asks : asks.Prepend<Task>(askAgain));
                    if (first == askAgain) break;
                    var ask = (Task<T>)first;
                    asks.Remove(ask);
                    if (ask.IsCompletedSuccessfully) return ask.Result;
                    // An ask that timed out, or failed before its wait was up (no region yet): the others may still be
                    // answered, and the next goes at the next interval.
                    ct.ThrowIfCancellationRequested();
                    if (ask.Exception?.InnerException is not AskTimeoutException and { } failure) throw failure;
                }
                if (askAgain is null) break;
                await askAgain;
            }
        }
        finally
        {
            // The asks still waiting stop waiting: their answers, if any come, are not needed.
            await answered.CancelAsync();
        }
        throw new AskTimeoutException($"No answer within {Bound.TotalSeconds:0.#} s ({BoundSetting}).");
    }
}
