using System.CommandLine;
using System.CommandLine.Help;
using FastNet.Cli.Commands;
using FastNet.Distributed;

namespace FastNet.Cli;

/// <summary>The <c>fastnet</c> command line, callable in-process (tests) with its own output writers.</summary>
public static class FastNetCli
{
    /// <summary>Exit code for bad input or a failed run.</summary>
    public const int Failure = 1;

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code. With <paramref name="ranks"/>,
    /// <c>train</c> runs as that communicator's rank (e.g. one thread of an <see cref="InProcessCommunicator"/>)
    /// instead of detecting MPI.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, ICommunicator? ranks = null)
    {
        // A plain command rather than RootCommand, so help says "fastnet" whatever the executable is called.
        var root = new Command("fastnet", "FastNet: trains multilayer perceptrons by backpropagation on interchangeable backends")
        {
            new HelpOption(),
            new VersionOption(),
            TrainCommand.Create(output, error, ranks),
            VerifyCommand.Create(output, error),
            BenchCommand.Create(output, error),
            DataCommand.Create(output, error),
            EvalCommand.Create(output, error),
            PredictCommand.Create(output, error),
            ExportCommand.Create(output, error),
            InfoCommand.Create(output, error),
        };
        ParseResult parse = root.Parse(args);
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
