namespace FastNet.Cli;

/// <summary>The check every command makes on the files it will write, before any work, so a run that would fail at
/// its end fails at its start instead, with a message naming the option and the user's path.</summary>
internal static class OutputTarget
{
    /// <summary>The name that means standard output where an option takes it, as Unix tools read it.</summary>
    public const string StandardOutput = "-";

    /// <summary>Throws an <see cref="ArgumentException"/> when two of <paramref name="outputs"/> name the same file:
    /// the one written last would replace the other (a model file where the checkpoint was, say).</summary>
    public static void CheckDistinct(IReadOnlyList<(string? Path, string Option)> outputs)
    {
        var seen = new Dictionary<string, (string Path, string Option)>(StringComparer.Ordinal);
        foreach ((string? path, string option) in outputs)
        {
            if (path is null)
            {
                continue;
            }
            string full = Path.GetFullPath(path);
            if (seen.TryGetValue(full, out var first))
            {
                throw new ArgumentException($"{first.Option} {first.Path} and {option} {path} name the same file; each "
                    + "output needs its own");
            }
            seen[full] = (path, option);
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> when <paramref name="output"/> names the file
    /// <paramref name="input"/> names: written after the input is read, it would replace what it was made from.</summary>
    public static void CheckNotInput(string output, string outputOption, string input, string inputOption)
    {
        if (Path.GetFullPath(output) == Path.GetFullPath(input))
        {
            throw new ArgumentException($"{outputOption} {output}: the {inputOption} file; writing it would replace what "
                + "it is made from");
        }
    }

    /// <summary><see cref="CheckNotInput"/> for every pair of <paramref name="outputs"/> and <paramref name="inputs"/>
    /// that name files, but for the pairs <paramref name="continued"/> allows (a checkpoint that a resumed run goes on
    /// writing). An input that does not exist yet has nothing to lose; a named data set is not a file.</summary>
    public static void CheckNotInputs(IReadOnlyList<(string? Path, string Option)> outputs,
        IReadOnlyList<(string? Path, string Option)> inputs, (string Output, string Input) continued)
    {
        foreach ((string? input, string inputOption) in inputs)
        {
            if (input is null || !File.Exists(input))
            {
                continue;
            }
            foreach ((string? output, string outputOption) in outputs)
            {
                if (output is not null && (outputOption, inputOption) != continued)
                {
                    CheckNotInput(output, outputOption, input, inputOption);
                }
            }
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> when <paramref name="rescue"/>, the file a failed write of
    /// <paramref name="output"/> (given with <paramref name="option"/>) keeps the run's state in, is one of
    /// <paramref name="files"/>: the failure would replace it.</summary>
    public static void CheckRescue(string rescue, string output, string option,
        IReadOnlyList<(string? Path, string Option)> files)
    {
        string full = Path.GetFullPath(rescue);
        foreach ((string? path, string other) in files)
        {
            if (path is not null && Path.GetFullPath(path) == full)
            {
                throw new ArgumentException($"{option} {output}: a failed write keeps the run's state in {rescue}, the "
                    + $"{other} file; choose another {option} or {other}");
            }
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="path"/> (given with
    /// <paramref name="option"/>) can be written: not <c>-</c>, which would make a file of that name where standard
    /// output was meant (options that take it for standard output check it first), not a directory, in a directory
    /// that exists and takes a new file (probed by creating, flushing and removing one, which also clears temporary
    /// files left by killed runs).</summary>
    public static void CheckWritable(string? path, string option)
    {
        if (path is null)
        {
            return;
        }
        if (path == StandardOutput)
        {
            throw new ArgumentException($"{option} {path}: expected a file name; {option} writes a file, not standard "
                + $"output (./{StandardOutput} names a file called {StandardOutput})");
        }
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full) || Path.EndsInDirectorySeparator(path))
        {
            throw new ArgumentException($"{option} {path}: is a directory; expected a file name");
        }
        string directory = Path.GetDirectoryName(full)!;
        if (File.Exists(directory))
        {
            throw new ArgumentException($"{option} {path}: {directory} is a file, not a directory");
        }
        if (!Directory.Exists(directory))
        {
            throw new ArgumentException($"{option} {path}: the directory {directory} does not exist");
        }
        try
        {
            AtomicFile.Probe(path);
        }
        catch (IOException e)
        {
            throw new ArgumentException($"{option} {e.Message}", e);
        }
    }
}
