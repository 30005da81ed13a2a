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
public sealed record KeyActorAsks(TimeSpan EachAsk, TimeSpan Bound, string BoundSetting)
{
    /// <summary>How long a lost message holds a request up in a pair: a key is answered at most this long after it has moved.</summary>
    public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(1);

    /// <summary>One ask, as on a single node.</summary>
    public static KeyActorAsks Once(TimeSpan timeout, string setting) => new(timeout, timeout, setting);

    /// <summary>Admission's asks, and those of anything else on the request path that reads a key's actor.</summary>
    public static KeyActorAsks For(RouterSettings settings) =>
        !settings.Cluster.Enabled ? Once(settings.AdmissionTimeout, "router.admission-timeout")
        : settings.AdmissionTimeout > settings.Cluster.HandoverTimeout ? new(AskAgainAfter, settings.AdmissionTimeout, "router.admission-timeout")
        : new(AskAgainAfter, settings.Cluster.HandoverTimeout, "router.cluster.handover-timeout");

    /// <summary>
    /// The actor's answer; <see cref="AskTimeoutException"/> when none came within <see cref="Bound"/>, and
    /// <see cref="OperationCanceledException"/> as soon as <paramref name="ct"/> is cancelled (the client left).
    /// </summary>
    public async Task<T> AskAsync<T>(IActorRef actor, object message, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        for (var left = Bound; left > TimeSpan.Zero; left = Bound - Stopwatch.GetElapsedTime(started))
        {
            var asked = Stopwatch.GetTimestamp();
            try
            {
                return await actor.Ask<T>(message, left < EachAsk ? left : EachAsk, ct);
            }
            catch (AskTimeoutException) when (left > EachAsk)
            {
                // Time is left: the message may have gone to a node that died. Ask again.
            }
            // An ask that failed before its wait was up (no region yet) is sent again no sooner than its wait.
            var early = EachAsk - Stopwatch.GetElapsedTime(asked);
            if (early > TimeSpan.Zero) await Task.Delay(early, ct);
        }
        throw new AskTimeoutException($"No answer within {Bound.TotalSeconds:0.#} s ({BoundSetting}).");
    }
}
