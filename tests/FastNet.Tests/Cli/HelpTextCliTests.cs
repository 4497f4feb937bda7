using System.Text.RegularExpressions;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>Help says the same thing everywhere: every form of <c>--data</c>, the rule of <c>--backend auto</c> (as
/// the README words it), defaults in the <c>[default: …]</c> form.</summary>
public partial class HelpTextCliTests
{
    private const string DataForms = "digits (the embedded 8x8 digits), mnist or fashion-mnist (after 'fastnet data fetch'), "
        + "a directory of MNIST-style IDX files (raw or .gz), NumPy files (x.npy with --labels y.npy, or one .npz with arrays "
        + "x and y) or a CSV file (.csv or .csv.gz)";

    private const string AutoRule = "auto (gpu when a CUDA device is present, else simd)";

    private static string Help(params string[] command)
    {
        CliRun run = CliRun.Of([.. command, "--help"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return Spaces().Replace(run.Output, " "); // help may wrap long descriptions
    }

    [Theory]
    [InlineData("train", "[default: digits]")]
    [InlineData("verify", "[default: digits]")]
    [InlineData("eval", "[default: the data the model was trained on]")]
    public void EveryCommandThatReadsDataListsEveryForm(string command, string defaultText)
    {
        string help = Help(command);
        Assert.Contains($"--data <data> {DataForms} {defaultText}", help, StringComparison.Ordinal);
        Assert.Contains("--labels <labels> with --data x.npy", help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("predict")]
    public void TheAutoBackendRuleReadsAsInTheReadme(string command)
    {
        Assert.Contains($"--backend <backend> {AutoRule} or one of: reference, simd, gpu, gpu-own", Help(command), StringComparison.Ordinal);
        string readme = Spaces().Replace(File.ReadAllText(ReadmeCommandTests.ReadmePath()), " ");
        Assert.Contains($"`auto` (default: gpu when a CUDA device is present, else simd)", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainShowsItsDefaultsInOneForm()
    {
        string help = Help("train");
        Assert.Contains("('none' for no hidden layer) [default: 64]", help, StringComparison.Ordinal);
        Assert.Contains("shuffle the examples every epoch (true|false) [default: true]", help, StringComparison.Ordinal);
        Assert.DoesNotContain("; default 64", help, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpNamesTheDatasetsThatCanBeFetched()
    {
        Assert.Contains("data Datasets (mnist, fashion-mnist): fetch and list", Help(), StringComparison.Ordinal);
        Assert.Contains("<name> the dataset: mnist, fashion-mnist", Help("data", "fetch"), StringComparison.Ordinal);
    }

    [Fact]
    public void HelpListsEveryCommandAndEachCommandHasItsOwn()
    {
        // only the command named first is built for a run, so each must stand alone; help builds them all
        string[] commands = ["train", "verify", "bench", "data", "eval", "predict", "export", "info"];
        string all = CliRun.Of("--help").Output;
        Assert.All(commands, c => Assert.Matches($@"(?m)^ +{c} ", all));
        Assert.All(commands, c => Assert.Contains($"Usage: fastnet {c} ", Help(c), StringComparison.Ordinal));
        CliRun typo = CliRun.Of("trian");
        Assert.NotEqual(0, typo.ExitCode);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
