using System.Text.Json;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Dashboard;
using Router.Host.Http;

namespace Router.Host.Tests.Dashboard;

/// <summary>
/// What <c>/ui/keys</c> makes of its form: the same <see cref="Router.Host.Keys.KeyRequest"/> the API would make of the
/// same values, refused by the same check and for the same field.
/// </summary>
public sealed class KeyFormTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A key that has every limit, to see which a request changes.</summary>
    private static readonly KeyPolicy Existing = new("hash", "sk-abc…", ["alpha"], Alias: "laptop", MaxBudget: 5m, BudgetDuration: TimeSpan.FromDays(30),
        RpmLimit: 60, TpmLimit: 1000, Expires: Now.AddDays(90), MetadataJson: """{"team":"a"}""", CreatedAt: Now.AddDays(-1));

    [Fact]
    public void A_new_keys_filled_fields_become_its_policy()
    {
        var form = new KeyForm
        {
            Alias = " team-b ", Models = "alpha, beta\ngamma", MaxBudget = "12.5", BudgetDuration = "7d", RpmLimit = "600", TpmLimit = "20000",
            Duration = "30d", Metadata = """{"owner":"ops"}""", Blocked = true,
        };

        var policy = form.ToCreateRequest(Now).ApplyTo(new KeyPolicy("hash", "sk-abc…", []));

        Assert.Equal("team-b", policy.Alias);
        Assert.Equal(["alpha", "beta", "gamma"], policy.AllowedModels);
        Assert.Equal(12.5m, policy.MaxBudget);
        Assert.Equal(TimeSpan.FromDays(7), policy.BudgetDuration);
        Assert.Equal((600, 20000), (policy.RpmLimit, policy.TpmLimit));
        Assert.Equal(Now.AddDays(30), policy.Expires);
        Assert.Equal("""{"owner":"ops"}""", policy.MetadataJson);
        Assert.True(policy.Blocked);
    }

    [Fact]
    public void A_new_keys_blank_fields_are_left_out()
    {
        var request = new KeyForm { Alias = "", Models = "  ", MaxBudget = " " }.ToCreateRequest(Now);

        Assert.Equal(Existing, request.ApplyTo(Existing));
        Assert.Null(request.Key);
    }

    [Fact]
    public void An_edit_clears_a_blank_field_and_a_duration_replaces_the_expiry()
    {
        var form = new KeyForm { Alias = "laptop", Models = "", MaxBudget = "", BudgetDuration = "", RpmLimit = "", TpmLimit = "", Expires = "2030-01-31T00:00:00Z", Duration = "" };

        var cleared = form.ToUpdateRequest(Now).ApplyTo(Existing);

        Assert.Empty(cleared.AllowedModels);
        Assert.Null(cleared.MaxBudget);
        Assert.Null(cleared.BudgetDuration);
        Assert.Null(cleared.RpmLimit);
        Assert.Null(cleared.TpmLimit);
        Assert.Null(cleared.MetadataJson);
        Assert.Equal(new DateTimeOffset(2030, 1, 31, 0, 0, 0, TimeSpan.Zero), cleared.Expires);
        Assert.Equal("laptop", cleared.Alias);

        form.Duration = "1d";
        Assert.Equal(Now.AddDays(1), form.ToUpdateRequest(Now).ApplyTo(Existing).Expires);
        form.Duration = null;
        form.Expires = "";
        Assert.Null(form.ToUpdateRequest(Now).ApplyTo(Existing).Expires);
    }

    [Fact]
    public void A_keys_edit_form_as_shown_changes_nothing()
    {
        var shown = KeyForm.From(View(Existing));

        Assert.Equal("alpha", shown.Models);
        var saved = shown.ToUpdateRequest(Now).ApplyTo(Existing);
        Assert.Equal(Existing.AllowedModels, saved.AllowedModels);
        // (A record compares lists by reference: the model list is compared above.)
        Assert.Equal(Existing, saved with { AllowedModels = Existing.AllowedModels });
    }

    [Theory]
    [InlineData(nameof(KeyForm.MaxBudget), "-1", "max_budget")]
    [InlineData(nameof(KeyForm.MaxBudget), "five", "max_budget")]
    [InlineData(nameof(KeyForm.RpmLimit), "1.5", "rpm_limit")]
    [InlineData(nameof(KeyForm.TpmLimit), "-3", "tpm_limit")]
    [InlineData(nameof(KeyForm.BudgetDuration), "monthly", "budget_duration")]
    [InlineData(nameof(KeyForm.Expires), "next tuesday", "expires")]
    [InlineData(nameof(KeyForm.Metadata), "team=a", "metadata")]
    [InlineData(nameof(KeyForm.Metadata), "[1,2]", "metadata")]
    [InlineData(nameof(KeyForm.Alias), "x", null)]
    public void A_bad_value_is_refused_naming_its_field(string property, string value, string? param)
    {
        var form = new KeyForm();
        typeof(KeyForm).GetProperty(property)!.SetValue(form, value);

        foreach (var make in new Func<KeyForm, Router.Host.Keys.KeyRequest>[] { f => f.ToCreateRequest(Now), f => f.ToUpdateRequest(Now) })
        {
            if (param is null)
            {
                make(form); // a good value, as a control: no refusal
                continue;
            }
            var error = Assert.Throws<RouterError>(() => make(form));
            Assert.Equal((400, param), (error.Status, error.Body.Param));
            Assert.Contains($"'{param}'", error.Body.Message);
        }
    }

    [Fact]
    public void A_new_key_with_both_a_duration_and_an_expiry_is_refused()
    {
        var error = Assert.Throws<RouterError>(() => new KeyForm { Duration = "30d", Expires = "2030-01-31T00:00:00Z" }.ToCreateRequest(Now));
        Assert.Equal("duration", error.Body.Param);
    }

    private static VirtualKeyInfo View(KeyPolicy policy)
    {
        using var metadata = JsonDocument.Parse(policy.MetadataJson!);
        return new VirtualKeyInfo
        {
            KeyId = "key_0000000000000001", Token = "key_0000000000000001", KeyName = policy.DisplayPrefix, KeyAlias = policy.Alias,
            Models = policy.AllowedModels, MaxBudget = policy.MaxBudget, BudgetDuration = Router.Host.Keys.Durations.Format(policy.BudgetDuration!.Value),
            RpmLimit = policy.RpmLimit, TpmLimit = policy.TpmLimit, Expires = policy.Expires, Metadata = metadata.RootElement.Clone(),
            CreatedAt = policy.CreatedAt,
        };
    }
}
