using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using OpenAI;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// router.http.tls: the router serves HTTPS itself with a certificate made here, to the OpenAI SDK and to HTTP/2
/// clients, marks the dashboard's cookie Secure, and refuses plain HTTP on its port.
/// </summary>
public sealed class HttpsTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-https-master-8e1f3a5c7b9d2e4f6a";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _certificates = Directory.CreateTempSubdirectory("router-e2e-tls-").FullName;
    private ServerCertificateFiles _files = null!;
    private MockOpenAiServer _mock = null!;
    private RouterProcess _router = null!;

    public async ValueTask InitializeAsync()
    {
        _files = ServerCertificateFiles.Create(_certificates);
        _mock = await MockOpenAiServer.StartAsync();
        _router = await RouterProcess.StartAsync(Config(_files.CertificatePem, _files.KeyPem), https: _files);
    }

    private string Config(string certificate, string key) => $$"""
          master-key = "{{MasterKey}}"
          http.tls { certificate = "{{certificate}}", key = "{{key}}" }
          cache.enabled = false
          providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}" } }
          models = [ { name = "secure-model", provider = mock, model = "echo-secure" } ]
        """;

    [Fact]
    public async Task The_OpenAI_SDK_chats_through_https_answered_and_streamed()
    {
        Assert.StartsWith("https://", _router.BaseUrl, StringComparison.Ordinal);
        var sdk = new OpenAIClient(new ApiKeyCredential(MasterKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(_router.BaseUrl + "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(new HttpClient(_router.Handler())),
        });
        var chat = sdk.GetChatClient("secure-model");

        ChatCompletion answered = await chat.CompleteChatAsync([new UserChatMessage("over tls")], cancellationToken: Ct);
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("streamed over tls")], cancellationToken: Ct))
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);

        Assert.Equal("over tls", answered.Content[0].Text);
        Assert.Equal("streamed over tls", streamed.ToString());
        Assert.Contains("HTTPS (HTTP/1.1 and HTTP/2) with certificate CN=router-test", _router.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http2_client_gets_http2_over_tls_with_the_configured_certificate()
    {
        X509Certificate2? presented = null;
        var handler = _router.Handler();
        var trusts = handler.SslOptions.RemoteCertificateValidationCallback!;
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return trusts(sender, certificate, chain, errors);
        };
        using var http = new HttpClient(handler)
        {
            BaseAddress = new Uri(_router.BaseUrl),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", MasterKey);

        using var ready = await http.GetAsync("/health/readiness", Ct);
        using var answer = await http.PostAsync("/v1/chat/completions", Chat("secure-model", "h2 please"), Ct);

        Assert.Equal(HttpVersion.Version20, ready.Version);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpVersion.Version20, answer.Version);
        Assert.Contains("h2 please", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(_files.Certificate.Thumbprint, presented?.Thumbprint);
    }

    [Fact]
    public async Task The_dashboard_session_cookie_is_secure_over_https()
    {
        var login = await DashboardLogin.SignInAsync(_router, MasterKey, Ct);

        var attributes = login.SetCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        using var signedIn = login.Client(_router);
        using var overview = await signedIn.GetAsync("/ui", Ct);
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
    }

    [Fact]
    public async Task Plain_http_to_the_tls_port_gets_no_answer()
    {
        var plain = new UriBuilder(_router.BaseUrl) { Scheme = "http" }.Uri;
        using var http = new HttpClient { BaseAddress = plain, Timeout = TimeSpan.FromSeconds(10) };

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/health/liveness", Ct));
        // A client that does not trust the certificate is refused too: TLS is not merely offered, it is checked.
        using var untrusting = new HttpClient { BaseAddress = new Uri(_router.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync("/health/liveness", Ct));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(refused.InnerException);
    }

    [Fact]
    public async Task A_key_that_is_not_the_certificates_stops_the_start_naming_the_setting()
    {
        await using var router = await RouterProcess.StartAsync(Config(_files.CertificatePem, _files.OtherKeyPem), waitUntilReady: false, https: _files);

        Assert.Equal(2, await router.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"router: configuration error: router.http.tls.key: {_files.OtherKeyPem} is not the private key of router.http.tls.certificate",
            router.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", router.Output, StringComparison.Ordinal); // a sentence, not a stack trace
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_certificate_issued_under_an_intermediate_is_served_with_its_chain_to_clients_that_trust_only_the_root(bool bundle)
    {
        using var chained = ServerCertificateFiles.CreateChained(Path.Combine(_certificates, "chained"));
        var tls = bundle
            ? $"certificate = \"{chained.Bundle}\", password = \"{ServerCertificateFiles.BundlePassword}\""
            : $"certificate = \"{chained.CertificatePem}\", key = \"{chained.KeyPem}\"";
        await using var router = await RouterProcess.StartAsync(Config(_files.CertificatePem, _files.KeyPem).Replace(
            $"certificate = \"{_files.CertificatePem}\", key = \"{_files.KeyPem}\"", tls, StringComparison.Ordinal), https: chained);

        using var http = router.CreateClient(MasterKey);
        using var answer = await http.PostAsync("/v1/chat/completions", Chat("secure-model", "chained"), Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("CN=router-chained", router.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_opens_the_certificate_as_the_start_does()
    {
        string Check(string tls) => WriteFile("check.conf", $$"""router.http { urls = "https://127.0.0.1:4443", tls { {{tls}} } }""");

        var valid = await RouterCliProcess.RunAsync(null, "config", "check",
            Check($"certificate = \"{_files.Bundle}\", password = \"{ServerCertificateFiles.BundlePassword}\""));
        var wrong = await RouterCliProcess.RunAsync(null, "config", "check", Check($"certificate = \"{_files.Bundle}\", password = \"not-the-password\""));

        Assert.True(valid.ExitCode == 0, valid.ToString());
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains($"router.http.tls.certificate: {_files.Bundle} is not PEM and could not be opened as a PKCS#12 file with router.http.tls.password", wrong.Stderr,
            StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", wrong.Stderr + wrong.Stdout, StringComparison.Ordinal);
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_certificates, name);
        File.WriteAllText(path, text);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
        _files.Dispose();
        Directory.Delete(_certificates, recursive: true);
    }
}
