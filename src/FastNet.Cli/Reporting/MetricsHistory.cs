using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FastNet.Cli.Reporting;

/// <summary>
/// The lines of a <c>--metrics</c> file a resumed run goes on from: those of the epochs its checkpoint has completed.
/// A run stopped between an epoch's line and its checkpoint, or resumed from an older checkpoint, left lines of
/// epochs the resumed run trains again, which it would have written a second time.
/// </summary>
internal static class MetricsHistory
{
    // a metrics line is a few hundred bytes: this is millions of epochs, and bounds what is read
    private const long MaxBytes = 256L << 20;

    /// <summary>Keeps the lines of <paramref name="path"/> whose epoch is at most <paramref name="epochs"/>, and drops
    /// a last line cut off without its newline; returns how many lines were dropped (the file is replaced atomically
    /// only then). A missing file has none. Throws an <see cref="ArgumentException"/> naming the line that is not one
    /// train writes.</summary>
    public static int KeepEpochsUpTo(string path, int epochs)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return 0;
        }
        if (file.Length > MaxBytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--metrics {path}: {file.Length:N0} bytes, more than a metrics file of train's holds ({MaxBytes:N0})"));
        }
        string text = File.ReadAllText(path, Encoding.UTF8);
        string[] lines = text.Split('\n');
        var kept = new StringBuilder(text.Length);
        int dropped = 0;
        for (int i = 0; i < lines.Length - 1; i++) // the last element follows the last newline: empty or cut off
        {
            if (Epoch(lines[i], path, i + 1) <= epochs)
            {
                kept.Append(lines[i]).Append('\n');
            }
            else
            {
                dropped++;
            }
        }
        if (lines[^1].Length > 0)
        {
            dropped++;
        }
        if (dropped > 0)
        {
            AtomicFile.WriteAllText(path, kept.ToString());
        }
        return dropped;
    }

    private static int Epoch(string line, string path, int number)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("epoch", out JsonElement epoch)
                && epoch.TryGetInt32(out int value) && value > 0)
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // named below
        }
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"--metrics {path} line {number}: expected a JSON object with an epoch number, as train writes; choose another --metrics to resume into"));
    }
}
