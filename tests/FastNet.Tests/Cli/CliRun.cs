using FastNet.Cli;

namespace FastNet.Tests.Cli;

/// <summary>Runs the <c>fastnet</c> command line in-process and captures what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = FastNetCli.Run(args, output, error);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- output\n{Output}\n--- error\n{Error}";
}
