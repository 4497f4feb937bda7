using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
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
        };
        (string Name, Func<Command> Create)[] commands =
        [
            ("train", () => TrainCommand.Create(output, error, ranks)),
            ("verify", () => VerifyCommand.Create(output, error)),
            ("bench", () => BenchCommand.Create(output, error)),
            ("data", () => DataCommand.Create(output, error)),
            ("eval", () => EvalCommand.Create(output, error)),
            ("predict", () => PredictCommand.Create(output, error)),
            ("export", () => ExportCommand.Create(output, error)),
            ("info", () => InfoCommand.Create(output, error)),
        ];
        // Only the command named first is built: building every command's options is compiled code that delays the
        // first line. Anything else (help, a typo) gets them all.
        var named = commands.Where(c => args.Length > 0 && c.Name == args[0]).ToArray();
        foreach ((_, Func<Command> create) in named.Length == 1 ? named : commands)
        {
            root.Add(create());
        }
        // No response files: an argument starting with '@' is what it says (--data @digits.csv names a file), not a
        // file of further arguments to read in its place.
        ParseResult parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
        {
            return CliErrors.ReportParseErrors(parse, error);
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
