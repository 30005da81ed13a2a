using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Router.Contracts.Wire;

namespace Router.Host.Admin;

/// <summary>
/// <c>GET /admin/cluster/events</c>: membership, reachability and leadership changes as this node sees
/// them, as server-sent events (one <see cref="ClusterEventView"/> per <c>data:</c> line), starting with the
/// current state, until the client goes or the node stops. A single node sends itself, up, and then only
/// keep-alive comments.
/// </summary>
public static class ClusterEventStream
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(10);

    public static async Task WriteAsync(HttpContext context, AdminNode node, IServiceProvider services, CancellationToken requestAborted)
    {
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var end = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping);
        var ct = end.Token;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";

        var events = Channel.CreateUnbounded<ClusterEventView>(new UnboundedChannelOptions { SingleReader = true });
        IActorRef? relay = null;
        if (node.Clustered)
            relay = services.GetRequiredService<ActorSystem>().ActorOf(Props.Create(() => new ClusterEventRelay(node.Name, events.Writer)));
        else
            events.Writer.TryWrite(new ClusterEventView(DateTimeOffset.UtcNow, node.Name, "member_up", node.Name, "up", []));
        try
        {
            await context.Response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(KeepAlive);
                ClusterEventView view;
                try
                {
                    view = await events.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // Nothing happened: a comment keeps proxies from closing an idle stream and tells the client the node is there.
                    await context.Response.WriteAsync(": keep-alive\n\n", ct);
                    await context.Response.Body.FlushAsync(ct);
                    continue;
                }
                var json = JsonSerializer.Serialize(view, AdminJsonContext.Admin.ClusterEventView);
                await context.Response.WriteAsync("data: " + json + "\n\n", Encoding.UTF8, ct);
                await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went, or the node is stopping: the stream simply ends.
        }
        catch (ChannelClosedException)
        {
            // The actor system stopped under the stream.
        }
        finally
        {
            relay?.Tell(PoisonPill.Instance);
        }
    }

    /// <summary>Subscribes to this node's cluster events for one stream and hands them to it as views.</summary>
    private sealed class ClusterEventRelay : ReceiveActor
    {
        private readonly ChannelWriter<ClusterEventView> _writer;

        public ClusterEventRelay(string node, ChannelWriter<ClusterEventView> writer)
        {
            _writer = writer;
            Receive<ClusterEvent.IMemberEvent>(e => Write(node, EventName(e), e.Member));
            Receive<ClusterEvent.UnreachableMember>(e => Write(node, "unreachable", e.Member));
            Receive<ClusterEvent.ReachableMember>(e => Write(node, "reachable", e.Member));
            Receive<ClusterEvent.LeaderChanged>(e =>
                writer.TryWrite(new ClusterEventView(DateTimeOffset.UtcNow, node, "leader_changed", e.Leader?.ToString(), null, null)));
            ReceiveAny(_ => { });
        }

        private void Write(string node, string name, Member member) =>
            _writer.TryWrite(new ClusterEventView(DateTimeOffset.UtcNow, node, name, member.Address.ToString(),
                ClusterAdmin.StatusName(member.Status), ClusterAdmin.RolesOf(member.Roles)));

        private static string EventName(ClusterEvent.IMemberEvent e) => e switch
        {
            ClusterEvent.MemberJoined => "member_joined",
            ClusterEvent.MemberWeaklyUp => "member_weakly_up",
            ClusterEvent.MemberUp => "member_up",
            ClusterEvent.MemberLeft => "member_left",
            ClusterEvent.MemberExited => "member_exited",
            ClusterEvent.MemberDowned => "member_downed",
            ClusterEvent.MemberRemoved => "member_removed",
            _ => "member_changed",
        };

        protected override void PreStart() =>
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

        protected override void PostStop()
        {
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
            // The stream's reader learns the node's actors are gone (the system stopping) and ends.
            _writer.TryComplete();
        }
    }
}
