using Router.Actors.Routing;
using Router.Contracts.Configuration;

namespace Router.Actors.Tests.Routing;

public sealed class RouteTablePolicyTests
{
    private static readonly HashSet<string> Usable = ["a", "b", "c"];

    private static RoutingPolicy PolicyOf(RouteTable table, string model) => table.Resolve(model)!.Group.Policy;

    [Fact]
    public void The_first_entry_of_a_name_that_sets_a_field_wins_for_the_group()
    {
        var table = RouteTable.Build(
            [
                new ModelEntry("m", "a", null) { Policy = new RoutingPolicy(Retries: 4) },
                new ModelEntry("m", "b", null)
                {
                    Policy = new RoutingPolicy(BalancingStrategy.LeastInFlight, 9, ["x"]),
                },
                new ModelEntry("m", "c", null)
                {
                    Policy = new RoutingPolicy(BalancingStrategy.LowestLatency, 7, ["y"], ["big"]),
                },
            ],
            Usable);

        var policy = PolicyOf(table, "m");

        Assert.Equal(BalancingStrategy.LeastInFlight, policy.Strategy);
        Assert.Equal(4, policy.Retries);
        Assert.Equal(["x"], policy.Fallbacks!);
        Assert.Equal(["big"], policy.ContextWindowFallbacks!);
        Assert.Empty(policy.ContentPolicyFallbacks!);
    }

    [Fact]
    public void An_entry_whose_provider_is_unusable_still_sets_the_models_policy()
    {
        var table = RouteTable.Build(
            [
                new ModelEntry("m", "off", null) { Policy = new RoutingPolicy(Retries: 0) },
                new ModelEntry("m", "a", null),
            ],
            Usable);

        Assert.Equal(0, PolicyOf(table, "m").Retries);
        Assert.Equal(["a:m"], table.Resolve("m")!.Group.Deployments.Select(d => d.Id));
    }

    [Fact]
    public void The_default_policy_fills_what_no_entry_sets_and_the_standard_fills_the_rest()
    {
        var table = RouteTable.Build(
            [new ModelEntry("m", "a", null) { Policy = new RoutingPolicy(Retries: 6) }],
            Usable,
            new RoutingPolicy(BalancingStrategy.LowestLatency, 1, ["backup"]));

        Assert.Equal(
            (BalancingStrategy.LowestLatency, 6, "backup", 0, 0),
            (PolicyOf(table, "m").Strategy!.Value, PolicyOf(table, "m").Retries!.Value, PolicyOf(table, "m").Fallbacks!.Single(),
                PolicyOf(table, "m").ContextWindowFallbacks!.Count, PolicyOf(table, "m").ContentPolicyFallbacks!.Count));
    }

    [Fact]
    public void Without_a_default_policy_the_standard_applies() =>
        Assert.Equal(RoutingPolicy.Standard, PolicyOf(RouteTable.Build([new ModelEntry("m", "a", null)], Usable), "m"));

    [Fact]
    public void Policies_of_different_names_stay_apart()
    {
        var table = RouteTable.Build(
            [
                new ModelEntry("m", "a", null) { Policy = new RoutingPolicy(Retries: 5) },
                new ModelEntry("n", "a", null),
            ],
            Usable);

        Assert.Equal(5, PolicyOf(table, "m").Retries);
        Assert.Equal(RoutingPolicy.Standard.Retries, PolicyOf(table, "n").Retries);
    }

    [Fact]
    public void Entries_of_one_name_form_one_group_in_configuration_order_with_their_own_settings()
    {
        var timeouts = new ProviderTimeouts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4));
        var table = RouteTable.Build(
            [
                new ModelEntry("m", "a", null) { Weight = 3, MaxInputTokens = 8000 },
                new ModelEntry("n", "a", null),
                new ModelEntry("m", "b", "other") { Timeouts = timeouts },
            ],
            Usable);

        var deployments = table.Resolve("m")!.Group.Deployments;

        Assert.Equal(["a:m", "b:m"], deployments.Select(d => d.Id));
        Assert.Equal((3, 8000, (ProviderTimeouts?)null), (deployments[0].Weight, deployments[0].MaxInputTokens!.Value, deployments[0].Timeouts));
        Assert.Equal((1, (int?)null, timeouts), (deployments[1].Weight, deployments[1].MaxInputTokens, deployments[1].Timeouts!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_weight_below_1_throws_ArgumentException(int weight) =>
        Assert.Throws<ArgumentException>(() => RouteTable.Build([new ModelEntry("m", "a", null) { Weight = weight }], Usable));
}
