using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;

namespace Router.Host.Keys;

/// <summary>
/// The work behind the key admin endpoints. A key's budget actor holds its policy and spend and is the
/// final word on admission; the <see cref="KeyDirectory"/> only finds the actor from a presented key.
/// So a key is provisioned on its actor before its row is added (no row points at nothing), and deleted
/// on its actor before its row is removed (no key outlives its deletion). Changes are made one at a
/// time, so two concurrent updates of a key cannot lose one another's fields. No change starts while the
/// database does not answer: the key's actor would take it (or fail writing its journal) and the table would not.
/// </summary>
public sealed class KeyAdmin(
    IRequiredActor<KeyBudgetActor> keyBudgets, KeyDirectory directory, KeyStates states, KeyAuthenticator authenticator,
    TimeProvider clock, ILogger<KeyAdmin> logger, ChargedKeys? charged = null)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
    private readonly SemaphoreSlim _changes = new(1, 1);

    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<VirtualKeyInfo> GenerateAsync(KeyRequest request, CancellationToken ct)
    {
        var secret = request.Key ?? KeySecrets.NewSecret();
        if (request.Key is not null && (!secret.StartsWith("sk-", StringComparison.Ordinal) || secret.Length < 20 || secret.Any(char.IsWhiteSpace)))
            throw KeyRequest.Bad("key", "A key given to /key/generate must start with \"sk-\", have at least 20 characters and no spaces; leave 'key' out to have one made.");
        var hash = KeySecrets.Hash(secret);
        var now = Now;
        var entry = new KeyEntry(KeyDirectory.NewKeyId(), hash, KeySecrets.DisplayPrefix(secret), request.Alias.Value, now);
        var policy = request.ApplyTo(new KeyPolicy(hash, entry.DisplayPrefix, [], CreatedAt: now));

        await _changes.WaitAsync(ct);
        try
        {
            await directory.RequireDatabaseForChangeAsync(ct);
            if (authenticator.Authenticate("Bearer " + secret) is not null) throw KeyRequest.Bad("key", "This key is already in use.");
            CheckAliasFree(entry.Alias, entry.KeyId);
            await ProvisionAsync(entry.KeyId, policy, ct);
            if (!directory.Add(entry))
            {
                await DeleteOnActorAsync(entry.KeyId, ct);
                throw KeyRequest.Bad("key_alias", "Another key has this key or alias.");
            }
        }
        finally
        {
            _changes.Release();
        }
        logger.LogInformation("Key {KeyId} ({Prefix}) generated", entry.KeyId, entry.DisplayPrefix);
        return View(entry, await states.GetAsync(entry.KeyId, ct), secret);
    }

    /// <summary>Applies the request's changes to a key's policy; its secret, id and spend stay.</summary>
    public async Task<VirtualKeyInfo> UpdateAsync(string keyText, KeyRequest request, string what, CancellationToken ct)
    {
        KeyEntry entry;
        await _changes.WaitAsync(ct);
        try
        {
            await directory.RequireDatabaseForChangeAsync(ct);
            (entry, var state) = await ResolveAsync(keyText, "key", ct);
            entry = ChangeAlias(entry, request);
            await ProvisionAsync(entry.KeyId, request.ApplyTo(state.Policy!), ct);
        }
        finally
        {
            _changes.Release();
        }
        logger.LogInformation("Key {KeyId} ({Prefix}) {What}", entry.KeyId, entry.DisplayPrefix, what);
        return View(entry, await states.GetAsync(entry.KeyId, ct));
    }

    /// <summary>Renames the key when the request sets another alias; the entry as it is afterwards.</summary>
    private KeyEntry ChangeAlias(KeyEntry entry, KeyRequest request)
    {
        if (!request.Alias.IsSet || request.Alias.Value == entry.Alias) return entry;
        CheckAliasFree(request.Alias.Value, entry.KeyId);
        if (!directory.SetAlias(entry.KeyId, request.Alias.Value)) throw AliasTaken();
        return entry with { Alias = request.Alias.Value };
    }

    /// <summary>A new secret for a key: the old one stops working at once; the id, policy and spend stay.</summary>
    public async Task<VirtualKeyInfo> RegenerateAsync(string keyText, KeyRequest request, CancellationToken ct)
    {
        var secret = KeySecrets.NewSecret();
        var hash = KeySecrets.Hash(secret);
        var prefix = KeySecrets.DisplayPrefix(secret);
        KeyEntry entry;
        await _changes.WaitAsync(ct);
        try
        {
            await directory.RequireDatabaseForChangeAsync(ct);
            (entry, var state) = await ResolveAsync(keyText, "key", ct);
            ChangeAlias(entry, request);
            // The actor first: from here the old secret is refused even where a cache still finds it.
            await ProvisionAsync(entry.KeyId, request.ApplyTo(state.Policy!) with { SecretHash = hash, DisplayPrefix = prefix }, ct);
            if (!directory.Rehash(entry.KeyId, hash, prefix)) throw KeyRequest.Bad("key", "The new key collided with another; try again.");
            entry = directory.FindById(entry.KeyId) ?? entry with { SecretHash = hash, DisplayPrefix = prefix };
        }
        finally
        {
            _changes.Release();
        }
        logger.LogInformation("Key {KeyId} regenerated ({Prefix})", entry.KeyId, prefix);
        return View(entry, await states.GetAsync(entry.KeyId, ct), secret);
    }

    /// <summary>Deletes every key named (secrets, ids or aliases), or none when one is unknown.</summary>
    public async Task<IReadOnlyList<string>> DeleteAsync(KeyRequest request, CancellationToken ct)
    {
        if (request.Keys.Count == 0 && request.KeyAliases.Count == 0)
            throw KeyRequest.Bad("keys", "'keys' must list the keys (secrets or ids) to delete.");
        var deleted = new List<string>();
        await _changes.WaitAsync(ct);
        try
        {
            await directory.RequireDatabaseForChangeAsync(ct);
            var entries = new List<KeyEntry>();
            for (var i = 0; i < request.Keys.Count; i++) entries.Add((await ResolveAsync(request.Keys[i], $"keys[{i}]", ct)).Entry);
            for (var i = 0; i < request.KeyAliases.Count; i++)
                entries.Add(directory.FindByAlias(request.KeyAliases[i]) ?? throw UnknownKey($"key_aliases[{i}]"));
            foreach (var entry in entries.DistinctBy(e => e.KeyId))
            {
                await DeleteOnActorAsync(entry.KeyId, ct);
                directory.Remove(entry.KeyId);
                deleted.Add(entry.KeyId);
                logger.LogInformation("Key {KeyId} ({Prefix}) deleted", entry.KeyId, entry.DisplayPrefix);
            }
        }
        finally
        {
            _changes.Release();
        }
        return deleted;
    }

    public async Task<VirtualKeyInfo> InfoAsync(string keyText, CancellationToken ct)
    {
        var (entry, state) = await ResolveAsync(keyText, "key", ct);
        return View(entry, state);
    }

    public async Task<VirtualKeyInfo> InfoByIdAsync(string keyId, CancellationToken ct)
    {
        var entry = directory.FindById(keyId) ?? throw UnknownKey("key");
        var state = await states.GetAsync(keyId, ct);
        return state.IsProvisioned ? View(entry, state) : throw UnknownKey("key");
    }

    public async Task<VirtualKeyList> ListAsync(int page, int size, CancellationToken ct)
    {
        var all = directory.List();
        var pageEntries = all.Skip((page - 1) * size).Take(size).ToList();
        var views = await Task.WhenAll(pageEntries.Select(async entry =>
        {
            var state = await states.GetAsync(entry.KeyId, ct);
            return state.IsProvisioned ? View(entry, state) : null;
        }));
        var shown = views.OfType<VirtualKeyInfo>().ToList();
        return new VirtualKeyList(shown.Select(v => v.KeyId).ToList(), shown, all.Count, page, Math.Max(1, (all.Count + size - 1) / size));
    }

    /// <summary>
    /// Whether a presented virtual key is its key's current secret, not deleted: a key regenerated or
    /// deleted since the directory was cached is refused as a wrong key.
    /// </summary>
    public async Task RequireCurrentAsync(AuthenticatedKey key, CancellationToken ct)
    {
        if (key.IsMaster) return;
        var state = await states.GetAsync(key.KeyId, ct);
        if (!state.IsProvisioned || !KeySecrets.SameHash(state.Policy!.SecretHash, key.SecretHash)) throw RouterError.InvalidKey();
    }

    /// <summary>
    /// The key a request names: its id (<c>key_…</c>), its secret, or the hex SHA-256 of its secret.
    /// The text is never echoed back: it may be a secret.
    /// </summary>
    private async Task<(KeyEntry Entry, KeyBudget.State State)> ResolveAsync(string keyText, string param, CancellationToken ct)
    {
        var entry = KeyDirectory.LooksLikeKeyId(keyText) ? directory.FindById(keyText) : null;
        entry ??= directory.FindByHash(KeySecrets.Hash(keyText));
        if (entry is null && keyText.Length == 64 && keyText.All(char.IsAsciiHexDigit)) entry = directory.FindByHash(keyText.ToUpperInvariant());
        if (entry is null) throw UnknownKey(param);
        var state = await states.GetAsync(entry.KeyId, ct);
        return state.IsProvisioned ? (entry, state) : throw UnknownKey(param);
    }

    private void CheckAliasFree(string? alias, string keyId)
    {
        if (alias is not null && directory.FindByAlias(alias) is { } other && other.KeyId != keyId) throw AliasTaken();
    }

    private static RouterError AliasTaken() => KeyRequest.Bad("key_alias", "Another key already has this key_alias.");

    public static RouterError UnknownKey(string param) =>
        new(404, new ErrorBody
        {
            Message = $"No virtual key matches '{param}'. Give the key's secret or its id (key_…).",
            Type = "not_found_error",
            Code = "key_not_found",
            Param = param,
            Origin = ErrorOrigin.Router,
        });

    private async Task ProvisionAsync(string keyId, KeyPolicy policy, CancellationToken ct)
    {
        var region = await keyBudgets.GetAsync(ct);
        await AskAsync<KeyBudget.Provisioned>(region, new KeyBudget.Provision(keyId, policy), ct);
        // A budget lowered (or a key made) may already be past 80 % or 100 %: the alert sampler looks at it next.
        charged?.Mark(keyId);
    }

    private async Task DeleteOnActorAsync(string keyId, CancellationToken ct)
    {
        var region = await keyBudgets.GetAsync(ct);
        await AskAsync<KeyBudget.Deleted>(region, new KeyBudget.Delete(keyId), ct);
    }

    /// <summary>
    /// The key's actor makes the change once its journal has it. Its journal may still be starting again after the
    /// database came back (the check before this one found the database up): then nothing was changed.
    /// </summary>
    private static async Task AskAsync<TDone>(IActorRef region, object change, CancellationToken ct)
    {
        object answer;
        try
        {
            answer = await region.Ask<object>(change, Timeout, ct);
        }
        catch (AskTimeoutException)
        {
            throw RouterError.Unavailable($"The key's actor did not confirm the change within {Timeout.TotalSeconds:0} s; it may or may not have been made.",
                "key_change_timeout");
        }
        if (answer is KeyBudget.JournalUnavailable) throw KeyDirectory.ChangesUnavailable();
        if (answer is not TDone) throw new InvalidOperationException($"The key's actor answered a change with {answer.GetType().Name}");
    }

    private static VirtualKeyInfo View(KeyEntry entry, KeyBudget.State state, string? secret = null)
    {
        var policy = state.Policy!;
        return new VirtualKeyInfo
        {
            Key = secret,
            KeyId = entry.KeyId,
            Token = entry.KeyId,
            KeyName = policy.DisplayPrefix,
            KeyAlias = policy.Alias,
            Models = policy.AllowedModels,
            Spend = state.Spend,
            EstimatedSpend = state.EstimatedSpend,
            MaxBudget = policy.MaxBudget,
            BudgetDuration = policy.BudgetDuration is { } duration ? Durations.Format(duration) : null,
            BudgetResetAt = state.PeriodResetsAt,
            RemainingBudget = state.Remaining,
            Expires = policy.Expires,
            RpmLimit = policy.RpmLimit,
            TpmLimit = policy.TpmLimit,
            Blocked = policy.Blocked,
            Metadata = Metadata(policy.MetadataJson),
            CreatedAt = entry.CreatedAt,
            Requests = state.Requests,
            PromptTokens = state.PromptTokens,
            CompletionTokens = state.CompletionTokens,
        };
    }

    private static JsonElement Metadata(string? json)
    {
        if (string.IsNullOrEmpty(json)) return EmptyObject;
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
