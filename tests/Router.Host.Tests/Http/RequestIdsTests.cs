using Microsoft.AspNetCore.Http;
using Router.Host.Http;

namespace Router.Host.Tests.Http;

public sealed class RequestIdsTests
{
    private static (string Id, string Echoed) Assign(string? offered)
    {
        var context = new DefaultHttpContext();
        if (offered is not null) context.Request.Headers[RequestIds.Header] = offered;
        var id = RequestIds.Assign(context);
        return (id, context.Response.Headers[RequestIds.Header].ToString());
    }

    [Fact]
    public void A_sane_id_from_the_caller_is_kept_and_echoed()
    {
        Assert.Equal(("trace-42:a_b.c", "trace-42:a_b.c"), Assign("trace-42:a_b.c"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("line\nbreak")]
    public void A_missing_or_unsafe_id_is_replaced_by_a_fresh_one(string? offered)
    {
        var (id, echoed) = Assign(offered);
        Assert.StartsWith("req_", id);
        Assert.Equal(id, echoed);
    }

    [Fact]
    public void A_key_budget_knows_a_request_by_the_routers_own_id_never_the_callers()
    {
        var ours = new DefaultHttpContext();
        var ourId = RequestIds.Assign(ours);
        Assert.Same(ourId, RequestIds.ForKeyBudget(ours, ourId));

        var theirs = new DefaultHttpContext();
        theirs.Request.Headers[RequestIds.Header] = "client-chosen";
        var theirId = RequestIds.Assign(theirs);
        var first = RequestIds.ForKeyBudget(theirs, theirId);
        Assert.StartsWith("req_", first);
        Assert.NotEqual(first, RequestIds.ForKeyBudget(theirs, theirId));
    }

    [Fact]
    public void An_id_longer_than_128_characters_is_replaced()
    {
        Assert.StartsWith("req_", Assign(new string('a', 129)).Id);
        Assert.Equal(new string('a', 128), Assign(new string('a', 128)).Id);
    }

    [Fact]
    public void Fresh_ids_are_unique_across_threads()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 20_000, _ => ids.Add(RequestIds.Fresh()));
        Assert.Equal(20_000, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^req_[0-9a-f]{16}[0-9a-f]{12,}$", id));
    }
}
