namespace Router.Host.Import;

/// <summary>What one import builds up: the draft configuration, the notes, and the providers made so far.</summary>
internal sealed class ImportContext
{
    public ImportContext(IReadOnlyDictionary<string, string> fileEnvironment)
    {
        FileEnvironment = fileEnvironment;
        Providers = new ProviderPool(this);
    }

    public RouterDraft Draft { get; } = new();

    public List<ImportNote> Notes { get; } = [];

    public ProviderPool Providers { get; }

    /// <summary>
    /// The non-secret values of the file's own <c>environment_variables</c> section, which LiteLLM sets
    /// before reading the rest (a Redis host, say); the router does not read the section itself.
    /// </summary>
    public IReadOnlyDictionary<string, string> FileEnvironment { get; }

    public void Note(string key, string message) => Notes.Add(new ImportNote(key, message));
}
