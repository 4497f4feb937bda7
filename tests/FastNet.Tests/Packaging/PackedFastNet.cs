using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Packaging;

/// <summary>The engine, its CPU and GPU kernels and the fastnet tool packed once (from the build the tests run on) into a
/// temporary folder, with a private NuGet cache, for the packaging tests to install from.</summary>
public sealed class PackedFastNet : IDisposable
{
    private static readonly string[] Projects =
        ["kernels/FastNet.Kernels", "kernels/FastNet.Kernels.Gpu", "src/FastNet", "src/FastNet.Cli"];

    public PackedFastNet()
    {
        Root = new TempDirectory();
        Directory.CreateDirectory(Packages);
        string repository = DotnetCommand.RepositoryRoot();
        foreach (string project in Projects)
        {
            (int exit, string output) = DotnetCommand.Run("dotnet",
                ["pack", project, "-c", DotnetCommand.Configuration(), "--no-build", "-o", Packages], repository, PackageCache);
            Assert.True(exit == 0, $"dotnet pack {project} failed:\n{output}");
        }
    }

    public TempDirectory Root { get; }

    /// <summary>The folder of .nupkg files.</summary>
    public string Packages => Root.File("packages");

    /// <summary>The NuGet cache every command of these tests uses.</summary>
    public string PackageCache => Root.File("nuget-cache");

    /// <summary>The version in Directory.Build.props.</summary>
    public static string Version => typeof(Network).Assembly.GetName().Version!.ToString(3);

    public void Dispose() => Root.Dispose();
}
