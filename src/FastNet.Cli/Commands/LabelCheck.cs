using System.Globalization;
using FastNet.Data;

namespace FastNet.Cli.Commands;

/// <summary>Warns when the class set a run trains on has classes without a single training example: usually a stray
/// label (one 99 among digits makes 100 outputs) or labels that are not numbered 0..k−1.</summary>
internal static class LabelCheck
{
    private const int Listed = 10;

    public static void WarnAboutMissingClasses(Dataset train, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(error);
        if (!train.IsClassification)
        {
            return;
        }
        long[] counts = new long[train.ClassCount];
        foreach (int label in train.Labels!)
        {
            counts[label]++;
        }
        int[] missing = [.. Enumerable.Range(0, counts.Length).Where(k => counts[k] == 0)];
        if (missing.Length == 0)
        {
            return;
        }
        string list = string.Join(", ", missing.Take(Listed).Select(k => train.ClassNames?[k] ?? k.ToString(CultureInfo.InvariantCulture)))
            + (missing.Length > Listed ? $" and {missing.Length - Listed} more" : "");
        error.WriteLine($"fastnet: warning: {train.Name}: {missing.Length} of {train.ClassCount} classes have no training "
            + $"example ({list}); the network has one output per class 0..{train.ClassCount - 1}. "
            + "Check for stray labels, or give --classes N to fix the class count");
    }
}
