using System.Runtime.InteropServices;
using System.Text.Json;
using Router.Host.Auth;
using Router.Host.Configuration;
using Router.Host.Http;
using Router.Host.Keys;

namespace Router.Host.Admin;

/// <summary>
/// The two ways to reload the configuration: <c>POST /config/reload</c> (master key), which answers what
/// it did or, for an invalid file, 400 <c>invalid_config</c> with the reason; and SIGHUP, as daemons do,
/// which says the same in the log.
/// </summary>
public sealed class ConfigReload(LiveConfig config, ILogger<ConfigReload> logger) : IHostedService
{
    private PosixSignalRegistration? _hangup;

    public static Task HandleAsync(HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, LiveConfig config) =>
        MasterOnly.RunAsync(context, authenticator, admin, "POST /config/reload", async ct =>
        {
            ReloadResult result;
            try
            {
                result = config.Reload();
            }
            catch (ConfigException e)
            {
                throw RouterError.InvalidRequest($"The configuration was not reloaded, the old one stays: {e.Message}", code: "invalid_config");
            }
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.Body);
            json.WriteStartObject();
            json.WriteBoolean("reloaded", true);
            json.WriteNumber("providers", result.Providers);
            json.WriteNumber("models", result.Models);
            json.WriteStartArray("restart_required");
            foreach (var setting in result.RestartRequired) json.WriteStringValue(setting);
            json.WriteEndArray();
            json.WriteStartArray("warnings");
            foreach (var warning in result.Warnings) json.WriteStringValue(warning);
            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(ct);
        });

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true; // a reload, not the default end of the process
                try
                {
                    config.Reload();
                }
                catch (ConfigException)
                {
                    // LiveConfig logged the reason; the old configuration stays.
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Configuration reload on SIGHUP failed inside the router");
                }
            });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _hangup?.Dispose();
        return Task.CompletedTask;
    }
}
