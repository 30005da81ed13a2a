using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Tracing;

/// <summary><c>router.tracing</c>, read from the shipped router.conf with a controlled environment.</summary>
public sealed class TracingSettingsTests
{
    private static TracingSettings Read(string overrides = "", params (string Name, string Value)[] environment)
    {
        var map = environment.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        var shipped = HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), map.GetValueOrDefault);
        var config = ConfigurationFactory.ParseString(overrides).WithFallback(ConfigurationFactory.ParseString(shipped));
        return RouterSettingsReader.Read(config).Tracing;
    }

    private static string ErrorOf(string overrides) => Assert.Throws<ConfigException>(() => Read(overrides)).Message;

    [Fact]
    public void Tracing_is_off_by_default()
    {
        var tracing = Read();

        Assert.False(tracing.Enabled);
        Assert.Null(tracing.OtlpEndpoint);
        Assert.Equal(("router", 1.0, OtlpProtocol.HttpProtobuf, TimeSpan.FromSeconds(5)),
            (tracing.ServiceName, tracing.SampleRatio, tracing.Protocol, tracing.ExportDelay));
    }

    [Theory]
    [InlineData("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/traces")]
    [InlineData("https://tempo.example.com/otlp/v1/traces", "https://tempo.example.com/otlp/v1/traces")]
    public void An_http_endpoint_without_a_path_gets_the_traces_path(string configured, string expected)
    {
        var tracing = Read($$"""router.tracing.otlp-endpoint = "{{configured}}" """);

        Assert.True(tracing.Enabled);
        Assert.Equal(new Uri(expected), tracing.OtlpEndpoint);
    }

    [Fact]
    public void A_grpc_endpoint_is_taken_as_given()
    {
        var tracing = Read("""router.tracing { otlp-endpoint = "http://collector:4317", protocol = grpc }""");

        Assert.Equal(OtlpProtocol.Grpc, tracing.Protocol);
        Assert.Equal(new Uri("http://collector:4317"), tracing.OtlpEndpoint);
    }

    [Fact]
    public void The_standard_OpenTelemetry_variables_switch_it_on_and_name_the_service()
    {
        var tracing = Read("", ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318"), ("OTEL_SERVICE_NAME", "router-a"));

        Assert.Equal(new Uri("http://otel:4318/v1/traces"), tracing.OtlpEndpoint);
        Assert.Equal("router-a", tracing.ServiceName);
    }

    [Fact]
    public void The_standard_protocol_and_batch_delay_variables_are_followed()
    {
        var tracing = Read("", ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4317"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_BSP_SCHEDULE_DELAY", "1500"));

        Assert.Equal(OtlpProtocol.Grpc, tracing.Protocol);
        Assert.Equal(new Uri("http://otel:4317"), tracing.OtlpEndpoint);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), tracing.ExportDelay);
    }

    [Fact]
    public void Ratio_and_export_delay_are_read()
    {
        var tracing = Read("""router.tracing { otlp-endpoint = "http://otel:4318", sample-ratio = 0.25, export-delay = 200ms }""");

        Assert.Equal(0.25, tracing.SampleRatio);
        Assert.Equal(TimeSpan.FromMilliseconds(200), tracing.ExportDelay);
    }

    [Theory]
    [InlineData("""router.tracing.otlp-endpoint = "collector:4318" """, "router.tracing.otlp-endpoint")]
    [InlineData("""router.tracing.otlp-endpoint = "ftp://collector" """, "router.tracing.otlp-endpoint")]
    [InlineData("""router.tracing.protocol = thrift""", "router.tracing.protocol")]
    [InlineData("""router.tracing.sample-ratio = 1.5""", "router.tracing.sample-ratio")]
    [InlineData("""router.tracing.sample-ratio = -0.1""", "router.tracing.sample-ratio")]
    [InlineData("""router.tracing.export-delay = 0s""", "router.tracing.export-delay")]
    public void A_bad_value_names_its_key(string overrides, string key) =>
        Assert.Contains(key, ErrorOf(overrides), StringComparison.Ordinal);
}
