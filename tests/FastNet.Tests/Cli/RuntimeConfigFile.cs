using System.Text.Json;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>What a <c>*.runtimeconfig.json</c> tells the runtime: the configuration properties the host passes to it
/// at start.</summary>
internal static class RuntimeConfigFile
{
    public const string QuickJitForLoops = "System.Runtime.TieredCompilation.QuickJitForLoops";

    /// <summary>The file's <c>runtimeOptions.configProperties</c> value of <paramref name="name"/>; fails the test when
    /// the file or the property is missing.</summary>
    public static JsonElement Property(string path, string name)
    {
        Assert.True(File.Exists(path), $"no {path}");
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.TryGetProperty(name, out JsonElement value), $"{path} does not set {name}:\n{properties}");
        return value.Clone();
    }
}
