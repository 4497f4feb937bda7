using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastNet.Tests.Cli;
using Xunit;

namespace FastNet.Tests.Packaging;

/// <summary>FastNet leaves the repository: <c>dotnet pack</c> makes NuGet packages of the engine and a .NET tool of
/// the command line; the tool installs with the real <c>dotnet tool install</c>, keeps its runtime configuration and
/// runs, and the README's library example compiles against the package and runs.</summary>
public partial class PackagingTests(PackedFastNet packed) : IClassFixture<PackedFastNet>
{
    [Fact]
    public void TheToolInstallsAsAFastnetCommandThatRunsInfoAndTrains()
    {
        string tools = packed.Root.File("tools");
        (int exit, string output) = DotnetCommand.Run("dotnet", ["tool", "install", "--tool-path", tools, "--add-source",
            packed.Packages, "FastNet.Tool", "--version", PackedFastNet.Version], packed.Root.Path, packed.PackageCache);
        Assert.True(exit == 0, output);
        string fastnet = Path.Combine(tools, "fastnet");
        Assert.True(File.Exists(fastnet), $"no {fastnet} after install:\n{output}");
        string config = Assert.Single(Directory.GetFiles(tools, "FastNet.Cli.runtimeconfig.json", SearchOption.AllDirectories));
        Assert.Equal(JsonValueKind.False, RuntimeConfigFile.Property(config, RuntimeConfigFile.QuickJitForLoops).ValueKind);

        (int infoExit, string info) = DotnetCommand.Run(fastnet, ["info"], packed.Root.Path, packed.PackageCache);
        Assert.True(infoExit == 0, info);
        Assert.Contains("simd", info, StringComparison.Ordinal);
        Assert.Contains("reference", info, StringComparison.Ordinal);

        (int trainExit, string train) = DotnetCommand.Run(fastnet, ["train", "--epochs", "2", "--no-progress", "--save", "m.json"],
            packed.Root.Path, packed.PackageCache);
        Assert.True(trainExit == 0, train);
        Assert.Matches(FinalLine(), train);
        Assert.True(File.Exists(packed.Root.File("m.json")));
    }

    [Fact]
    public void TheReadmesLibraryExampleCompilesAgainstThePackageAndTrains()
    {
        string example = packed.Root.File("example");
        Directory.CreateDirectory(example);
        File.WriteAllText(Path.Combine(example, "Program.cs"), ReadmeExample());
        File.WriteAllText(Path.Combine(example, "example.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="FastNet" Version="{PackedFastNet.Version}" />
              </ItemGroup>
            </Project>
            """);
        // The packed folder beside the machine's usual sources, which serve the engine's own dependencies (ONNX).
        File.WriteAllText(Path.Combine(example, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="fastnet" value="{packed.Packages}" />
              </packageSources>
            </configuration>
            """);

        (int exit, string output) = DotnetCommand.Run("dotnet", ["run", "-c", "Release"], example, packed.PackageCache);

        Assert.True(exit == 0, output);
        Match accuracy = ExampleAccuracy().Match(output);
        Assert.True(accuracy.Success, output);
        Assert.True(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture) >= 0.9, output);
        Assert.True(File.Exists(Path.Combine(example, "digits.json")), output);
    }

    /// <summary>The C# block under the README's "FastNet as a library" heading, exactly as a reader sees it.</summary>
    private static string ReadmeExample()
    {
        string readme = File.ReadAllText(Path.Combine(DotnetCommand.RepositoryRoot(), "README.md"));
        int section = readme.IndexOf("### FastNet as a library", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no \"### FastNet as a library\" section");
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    [GeneratedRegex(@"^test accuracy [0-9.]+  test loss [0-9.E-]+$", RegexOptions.Multiline)]
    private static partial Regex FinalLine();

    [GeneratedRegex(@"test accuracy ([0-9.]+)")]
    private static partial Regex ExampleAccuracy();
}
