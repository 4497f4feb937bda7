using FastNet.Cli;

return FastNetCli.Run(args, Console.Out, Console.Error);
