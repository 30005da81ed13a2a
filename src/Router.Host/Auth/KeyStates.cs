using Akka.Actor;
using Akka.Hosting;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Host.Cluster;
using Router.Host.Http;

namespace Router.Host.Auth;

/// <summary>
/// Reads a key's state from its budget actor, for endpoints that answer from it rather than admit through it;
/// asked as admission asks (<see cref="KeyActorAsks"/>), so a key moving from a dead peer is waited for.
/// </summary>
public sealed class KeyStates(IRequiredActor<KeyBudgetActor> keyBudgets, KeyActorAsks asks)
{
    public async Task<KeyBudget.State> GetAsync(string keyId, CancellationToken ct)
    {
        var region = await keyBudgets.GetAsync(ct);
        try
        {
            return await asks.AskAsync<KeyBudget.State>(region, new KeyBudget.GetState(keyId), ct);
        }
        catch (AskTimeoutException)
        {
            throw RouterError.Unavailable($"The key's state did not arrive within {asks.Bound.TotalSeconds:0.#} s ({asks.BoundSetting}).", "key_state_timeout");
        }
    }

    /// <summary>
    /// The models a presented key may use, refused as the proxy path would refuse it: a secret that is
    /// not the key's current one, a deleted, blocked or expired key.
    /// </summary>
    public async Task<IReadOnlyList<string>> AllowedModelsAsync(AuthenticatedKey key, CancellationToken ct)
    {
        var state = await GetAsync(key.KeyId, ct);
        if (!state.IsProvisioned || !KeySecrets.SameHash(state.Policy!.SecretHash, key.SecretHash)) throw RouterError.InvalidKey();
        if (state.Policy.Blocked) throw RouterError.KeyDisabled("This key is blocked.");
        if (state.Policy.Expires is { } expires && expires <= DateTimeOffset.UtcNow)
            throw RouterError.KeyDisabled($"This key expired at {expires:u}.");
        return state.Policy.AllowedModels;
    }
}
