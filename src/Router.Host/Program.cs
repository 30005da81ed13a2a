using Router.Host.Cli;

return await RouterCli.Build().Parse(args).InvokeAsync();
