using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

public sealed class ModelQueueTests
{
    private static readonly RouteTable Routes = RouteTable.Build(
        new[] { "asked", "wider", "safer", "fallback", "other" }.Select(name => new ModelEntry(name, "openai", null)),
        new HashSet<string> { "openai" });

    private static ModelQueue Queue() => new(Routes, Routes.Resolve("asked")!);

    private static List<string> TakeAll(ModelQueue queue)
    {
        var taken = new List<string>();
        while (queue.TryTake(out var match)) taken.Add(match.Group.ModelName);
        return taken;
    }

    [Fact]
    public void The_requested_model_comes_first_and_alone_when_nothing_is_queued() =>
        Assert.Equal(["asked"], TakeAll(Queue()));

    [Fact]
    public void A_verdicts_fallbacks_go_before_those_queued_already_in_their_own_order()
    {
        var queue = Queue();
        Assert.True(queue.TryTake(out _));
        queue.Append("fallback");
        queue.Prepend(["wider", "safer"]);

        Assert.Equal(["wider", "safer", "fallback"], TakeAll(queue));
    }

    [Fact]
    public void Each_model_is_taken_once_the_requested_one_included()
    {
        var queue = Queue();
        Assert.True(queue.TryTake(out _));
        queue.Append("asked");
        queue.Append("other");
        queue.Prepend(["other", "asked"]);
        queue.Append("other");

        Assert.Equal(["other"], TakeAll(queue));
    }

    [Fact]
    public void A_name_no_route_has_is_left_out()
    {
        var queue = Queue();
        Assert.True(queue.TryTake(out _));
        queue.Prepend(["nowhere"]);
        queue.Append("nothing-either");
        queue.Append("fallback");

        Assert.Equal(["fallback"], TakeAll(queue));
    }

    [Fact]
    public void Models_queued_after_the_queue_ran_dry_are_taken()
    {
        var queue = Queue();
        Assert.Equal(["asked"], TakeAll(queue));
        queue.Prepend(["safer"]);

        Assert.Equal(["safer"], TakeAll(queue));
    }
}
