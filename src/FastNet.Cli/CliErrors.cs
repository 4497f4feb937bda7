using System.CommandLine;
using System.CommandLine.Parsing;
using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Distributed;
using FastNet.Model;
using FastNet.Onnx;

namespace FastNet.Cli;

/// <summary>Turns the errors users can cause into one clear line on standard error and a non-zero exit.</summary>
internal static class CliErrors
{
    public static int Guard(TextWriter error, Func<int> action) => Guard(error, action, "");

    /// <summary><see cref="Guard(TextWriter, Func{int})"/> with <paramref name="origin"/> after "error" (" on rank 1"),
    /// so that of many processes the one that failed is named.</summary>
    public static int Guard(TextWriter error, Func<int> action, string origin)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DataFormatException or DataFetchException or ModelFormatException or CheckpointFormatException
            or OnnxFormatException or DistributedException or ArgumentException
            or FormatException or IOException or UnauthorizedAccessException)
        {
            string message = e is ArgumentException { ParamName: string name } argument
                ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
                : e.Message;
            error.WriteLine($"fastnet: error{origin}: {message}");
            return FastNetCli.Failure;
        }
    }

    /// <summary>A command line that does not parse (a value of the wrong type, a missing or unknown option): each error as
    /// a line of its own, the nearest names to a misspelt one, and where the options are listed, instead of
    /// System.CommandLine's unprefixed messages followed by the whole help.</summary>
    public static int ReportParseErrors(ParseResult parse, TextWriter error)
    {
        foreach (ParseError e in parse.Errors)
        {
            error.WriteLine($"fastnet: error: {e.Message}");
        }
        Command command = parse.CommandResult.Command;
        foreach (string token in parse.UnmatchedTokens)
        {
            string[] nearest = Nearest(command, token);
            if (nearest.Length > 0)
            {
                error.WriteLine($"fastnet: note: '{token}': did you mean {string.Join(" or ", nearest)}?");
            }
        }
        var path = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult c; result = c.Parent)
        {
            path.Insert(0, c.Command.Name);
        }
        error.WriteLine($"Try '{string.Join(' ', path)} --help' for more information.");
        return FastNetCli.Failure;
    }

    // The command's options (for a token like an option) or subcommands (otherwise) at the least edit distance from
    // the token, 3 edits at most, as System.CommandLine's own suggestions pick them.
    private static string[] Nearest(Command command, string token)
    {
        IEnumerable<string> names = token.StartsWith('-')
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        var scored = names.Distinct().Select(name => (Name: name, Distance: EditDistance(token, name)))
            .Where(n => n.Distance <= 3).ToList();
        return scored.Count == 0 ? [] : [.. scored.Where(n => n.Distance == scored.Min(m => m.Distance)).Select(n => n.Name)];
    }

    private static int EditDistance(string a, string b)
    {
        int[] previous = [.. Enumerable.Range(0, b.Length + 1)], current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(previous[j], current[j - 1]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
