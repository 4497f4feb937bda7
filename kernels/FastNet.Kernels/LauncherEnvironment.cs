using System.Globalization;

namespace FastNet.Kernels;

/// <summary>What an MPI launcher tells each process it starts, in environment variables (the job's size, the ranks
/// on this host, this process's rank on it), read the same way for each.</summary>
public static class LauncherEnvironment
{
    /// <summary>The first of <paramref name="names"/> whose value in <paramref name="environment"/> is a whole number
    /// (digits only) of at least <paramref name="minimum"/>, with its name; null when none is.</summary>
    public static (string Name, int Value)? First(Func<string, string?> environment, IReadOnlyList<string> names, int minimum)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(names);
        foreach (string name in names)
        {
            if (int.TryParse(environment(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum)
            {
                return (name, value);
            }
        }
        return null;
    }
}
