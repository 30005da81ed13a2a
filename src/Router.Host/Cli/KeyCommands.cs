using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;

namespace Router.Host.Cli;

/// <summary>
/// <c>router keys list|info|generate|block|unblock|delete</c>: the virtual keys, through the node's
/// <c>/key/*</c> API. A key's secret is printed once, by generate; everything else names keys by id,
/// alias or display prefix.
/// </summary>
public static class KeyCommands
{
    public static Command Build()
    {
        var palette = NodeOptions.Palette("keys", "Virtual keys: list, info, generate, block, unblock, delete.", out var node);

        var list = new Command("list", "Every key with its models, spend, budget and limits.");
        var page = new Option<int>("--page") { Description = "Page (from 1).", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Keys per page (1-1000).", DefaultValueFactory = _ => 100 };
        list.Options.Add(page);
        list.Options.Add(size);
        node.Add(palette, list, (call, ct) =>
            call.PrintAsync(call.Client.GetAsync($"key/list?page={call.Get(page)}&size={call.Get(size)}", ct), WireJsonContext.Default.VirtualKeyList,
                keys => CliOutput.Table($"Keys on {call.Client.Node} ({keys.TotalCount} in all)",
                    ["key id", "alias", "prefix", "models", "spend", "budget", "rpm", "tpm", "blocked", "expires"],
                    keys.Data.Select(k => (IReadOnlyList<string>)[
                        k.KeyId, CliOutput.Text(k.KeyAlias), k.KeyName, k.Models.Count == 0 ? "all" : string.Join(",", k.Models),
                        CliOutput.Money(k.Spend), Budget(k), Limit(k.RpmLimit), Limit(k.TpmLimit), CliOutput.Yes(k.Blocked), CliOutput.Time(k.Expires)]))));

        var info = new Command("info", "One key in full.");
        var infoKey = KeyArgument();
        info.Arguments.Add(infoKey);
        node.Add(palette, info, (call, ct) =>
            call.PrintAsync(call.Client.GetAsync($"key/info?key={Uri.EscapeDataString(call.Get(infoKey)!)}", ct),
                WireJsonContext.Default.VirtualKeyInfoResponse, response => Show(response.Info)));

        var generate = new Command("generate", "Make a new key; its secret is printed this once.");
        var alias = new Option<string?>("--alias") { Description = "A name for the key, unique." };
        var models = new Option<string[]>("--model") { Description = "A model (or glob) the key may use; repeat for more. None: every model.", AllowMultipleArgumentsPerToken = true };
        var budget = new Option<decimal?>("--max-budget") { Description = "Budget in US dollars." };
        var budgetDuration = new Option<string?>("--budget-duration") { Description = "How often the budget starts again: 30d, 1w, 12h." };
        var rpm = new Option<int?>("--rpm") { Description = "Requests per minute." };
        var tpm = new Option<int?>("--tpm") { Description = "Tokens per minute." };
        var duration = new Option<string?>("--duration") { Description = "How long the key is valid: 30d, 12h." };
        foreach (var option in new Option[] { alias, models, budget, budgetDuration, rpm, tpm, duration }) generate.Options.Add(option);
        node.Add(palette, generate, (call, ct) =>
        {
            var body = new JsonObject();
            if (call.Get(alias) is { } a) body["key_alias"] = a;
            if (call.Get(models) is { Length: > 0 } m) body["models"] = new JsonArray([.. m.SelectMany(Split).Select(x => JsonValue.Create(x))]);
            if (call.Get(budget) is { } b) body["max_budget"] = b;
            if (call.Get(budgetDuration) is { } bd) body["budget_duration"] = bd;
            if (call.Get(rpm) is { } r) body["rpm_limit"] = r;
            if (call.Get(tpm) is { } t) body["tpm_limit"] = t;
            if (call.Get(duration) is { } d) body["duration"] = d;
            return call.PrintAsync(call.Client.PostAsync("key/generate", body, ct), WireJsonContext.Default.VirtualKeyInfo, key =>
            {
                Show(key);
                CliOutput.Line($"Secret (shown this once, keep it): {key.Key}");
            });
        });

        foreach (var (name, blocked) in new[] { ("block", true), ("unblock", false) })
        {
            var command = new Command(name, blocked ? "Refuse every request of a key until it is unblocked." : "Let a blocked key make requests again.");
            var key = KeyArgument();
            command.Arguments.Add(key);
            node.Add(palette, command, (call, ct) =>
                call.PrintAsync(call.Client.PostAsync($"key/{name}", new JsonObject { ["key"] = call.Get(key) }, ct), WireJsonContext.Default.VirtualKeyInfo,
                    k => CliOutput.Line($"Key {k.KeyId}{(k.KeyAlias is null ? "" : $" ({k.KeyAlias})")} is {(k.Blocked ? "blocked" : "unblocked")}.")));
        }

        var delete = new Command("delete", "Delete keys for good.");
        var deleteKeys = new Argument<string[]>("keys") { Description = "Key ids, aliases or secrets.", Arity = ArgumentArity.OneOrMore };
        delete.Arguments.Add(deleteKeys);
        node.Add(palette, delete, (call, ct) =>
            call.PrintAsync(call.Client.PostAsync("key/delete", new JsonObject { ["keys"] = new JsonArray([.. call.Get(deleteKeys)!.Select(k => JsonValue.Create(k))]) }, ct),
                WireJsonContext.Default.VirtualKeysDeleted, deleted => CliOutput.Line($"Deleted {deleted.DeletedKeys.Count} key(s): {string.Join(", ", deleted.DeletedKeys)}.")));
        return palette;
    }

    private static Argument<string> KeyArgument() => new("key") { Description = "The key's id (key_…) or secret." };

    private static IEnumerable<string> Split(string models) => models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void Show(VirtualKeyInfo k) => CliOutput.Pairs($"Key {k.KeyId}", [
        ("alias", CliOutput.Text(k.KeyAlias)),
        ("prefix", k.KeyName),
        ("models", k.Models.Count == 0 ? "all" : string.Join(", ", k.Models)),
        ("spend", CliOutput.Money(k.Spend)),
        ("budget", Budget(k)),
        ("remaining", CliOutput.Money(k.RemainingBudget)),
        ("budget resets", CliOutput.Time(k.BudgetResetAt)),
        ("rpm limit", Limit(k.RpmLimit)),
        ("tpm limit", Limit(k.TpmLimit)),
        ("blocked", CliOutput.Yes(k.Blocked)),
        ("expires", CliOutput.Time(k.Expires)),
        ("created", CliOutput.Time(k.CreatedAt)),
        ("requests", CliOutput.Number(k.Requests)),
        ("tokens", $"{CliOutput.Number(k.PromptTokens)} prompt, {CliOutput.Number(k.CompletionTokens)} completion"),
    ]);

    private static string Budget(VirtualKeyInfo k) =>
        k.MaxBudget is null ? "-" : CliOutput.Money(k.MaxBudget) + (k.BudgetDuration is null ? "" : " per " + k.BudgetDuration);

    private static string Limit(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
