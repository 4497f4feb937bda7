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
}
