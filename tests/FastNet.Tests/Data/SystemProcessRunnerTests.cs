using FastNet.Data;
using Xunit;

namespace FastNet.Tests.Data;

public class SystemProcessRunnerTests
{
    /// <summary>apt's messages are recognized by their English text, so the user's locale must not translate them;
    /// the rest of the environment (PATH, proxies) reaches the tools unchanged.</summary>
    [Fact]
    public void ToolsRunInTheCLocaleWithTheRestOfTheEnvironment()
    {
        ProcessResult result = new SystemProcessRunner().Run("sh",
            ["-c", "echo \"LC_ALL=$LC_ALL PATH=$PATH\""], Path.GetTempPath());

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"LC_ALL=C PATH={Environment.GetEnvironmentVariable("PATH")}\n", result.Output);
    }
}
