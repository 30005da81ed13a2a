using System.CommandLine;
using Router.Host.Cli;

// SIGTERM and Ctrl-C belong to the web host, which drains requests and stops the actors in order;
// System.CommandLine's own handling would force an exit after two seconds.
return await RouterCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
