namespace Router.Contracts.Configuration;

/// <summary>
/// <c>router.settlement</c>: whether a successful answer's last part waits until its cost is in the key's
/// journal. Off (one node): the cost is told to the key's actor, which writes it within 100 ms. On (a
/// pair, where the key's actor may live on a node that dies): the answer completes only once the
/// actor confirms the write, so no answer a client received goes uncharged.
/// </summary>
/// <param name="Timeout">How long an answer waits for the confirmation before it completes anyway (the settlement is then retried in the background).</param>
/// <param name="RetryInterval">How long one ask for the confirmation waits before it is sent again (a key moved to the other node answers once recovered there).</param>
public sealed record SettlementSettings(bool Confirm, TimeSpan Timeout, TimeSpan RetryInterval)
{
    public static readonly SettlementSettings Standard = new(false, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
}
