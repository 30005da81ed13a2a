using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>One attempt's limits on one cancellation source: each phase's own, cut short by the total's.</summary>
public sealed class AttemptDeadlineTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    private static async Task<bool> CancelledWithin(CancellationToken token, TimeSpan wait)
    {
        try
        {
            await Task.Delay(wait, token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    [Fact]
    public async Task The_first_phase_ends_at_its_own_limit_when_the_total_has_more_left()
    {
        using var deadline = new AttemptDeadline(CancellationToken.None, CancellationToken.None, Long, TimeSpan.FromMilliseconds(100));
        Assert.False(deadline.TotalArmed);
        Assert.True(await CancelledWithin(deadline.Token, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_phase_longer_than_what_the_total_has_left_ends_at_the_total()
    {
        using var deadline = new AttemptDeadline(CancellationToken.None, CancellationToken.None, TimeSpan.FromMilliseconds(100), Long);
        Assert.True(deadline.TotalArmed);
        Assert.True(await CancelledWithin(deadline.Token, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_new_phase_replaces_the_limit_of_the_one_before()
    {
        using var deadline = new AttemptDeadline(CancellationToken.None, CancellationToken.None, Long, TimeSpan.FromMilliseconds(200));
        deadline.Phase(Long);
        Assert.False(await CancelledWithin(deadline.Token, TimeSpan.FromMilliseconds(600)));
        deadline.Phase(TimeSpan.FromMilliseconds(100));
        Assert.True(await CancelledWithin(deadline.Token, TimeSpan.FromSeconds(30)));
        Assert.False(deadline.TotalArmed);
    }

    [Fact]
    public async Task Reading_a_whole_answer_lifts_the_phase_limit_and_keeps_the_total()
    {
        using var deadline = new AttemptDeadline(CancellationToken.None, CancellationToken.None, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200));
        deadline.TotalOnly();
        Assert.True(deadline.TotalArmed);
        Assert.False(await CancelledWithin(deadline.Token, TimeSpan.FromMilliseconds(500)));
        Assert.True(await CancelledWithin(deadline.Token, TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_client_leaving_or_a_stop_cutting_answers_cancels_it_at_once(bool clientLeaves)
    {
        using var client = new CancellationTokenSource();
        using var stop = new CancellationTokenSource();
        using var deadline = new AttemptDeadline(client.Token, stop.Token, Long, Long);
        (clientLeaves ? client : stop).Cancel();
        Assert.True(deadline.Token.IsCancellationRequested);
    }
}
