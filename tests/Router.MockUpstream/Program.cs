using Router.MockUpstream;

// Stand-alone mock provider for the benchmark: `dotnet Router.MockUpstream.dll http://127.0.0.1:5001`.
// It keeps no record of requests, so memory stays flat under load. Stops on Ctrl-C or SIGTERM.
var urls = args.Length > 0 ? args[0] : "http://127.0.0.1:5001";
await using var server = await MockOpenAiServer.StartAsync(urls, record: false);
Console.WriteLine($"mock upstream listening on {server.ApiBase}");
await server.WaitForShutdownAsync();
