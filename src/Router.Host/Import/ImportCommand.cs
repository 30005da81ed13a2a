using System.CommandLine;

namespace Router.Host.Import;

/// <summary>
/// <c>router import-litellm config.yaml &gt; router.conf</c>: the HOCON on stdout, the notes on stderr,
/// so a redirect captures exactly the config. Exit code 2 when the file cannot be imported at all.
/// </summary>
public static class ImportCommand
{
    public static Command Build()
    {
        var file = new Argument<FileInfo>("config.yaml") { Description = "The LiteLLM proxy config to translate." };
        var command = new Command("import-litellm", "Translate a LiteLLM config.yaml into router HOCON (stdout); what cannot be translated is listed on stderr.");
        command.Arguments.Add(file);
        command.SetAction(parse => Run(parse.GetValue(file)!, Console.Out, Console.Error));
        return command;
    }

    public static int Run(FileInfo file, TextWriter output, TextWriter errors)
    {
        ImportResult result;
        try
        {
            if (!file.Exists) throw new ImportException("the file does not exist");
            result = LiteLlmImporter.Import(File.ReadAllText(file.FullName));
        }
        catch (Exception e) when (e is ImportException or IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"router import-litellm: {file.Name}: {e.Message}");
            return 2;
        }
        output.Write(HoconWriter.Write(result, file.Name));
        foreach (var note in result.Notes) errors.WriteLine($"note: {note}");
        errors.WriteLine($"router import-litellm: {result.Config.Providers.Count} providers, {result.Config.Models?.Count ?? 0} routes, {result.Notes.Count} notes");
        return 0;
    }
}
