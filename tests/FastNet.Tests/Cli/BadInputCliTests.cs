using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>Bad input ends with one clear message naming the file, line or field, a non-zero exit, and nothing
/// written.</summary>
public class BadInputCliTests
{
    private const string TinyModel = """
        { "format": "fastnet-model", "version": 1, "inputs": 3,
          "layers": [ { "units": 1, "activation": "sigmoid", "weights": [[0.1, 0.2, 0.3]] } ] }
        """;

    private static CliRun Train(TempDirectory dir, params string[] extra) =>
        CliRun.Of(["train", "--epochs", "1", "--save", dir.File("out.json"), .. extra]);

    private static void AssertFailedWithoutWriting(TempDirectory dir, CliRun run, params string[] mentions)
    {
        Assert.True(run.ExitCode != 0, run.ToString());
        foreach (string mention in mentions)
        {
            Assert.Contains(mention, run.Error, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(dir.File("out.json")), "a failed run wrote its output file");
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void RaggedCsvNamesTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("ragged.csv", "1,2,0\n3,4,1\n5,1\n");
        AssertFailedWithoutWriting(dir, Train(dir, "--data", data), "ragged.csv", "line 3");
    }

    [Fact]
    public void NonNumberInCsvNamesTheFileLineAndColumn()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("words.csv", "1,2,0\n3,abc,1\n");
        AssertFailedWithoutWriting(dir, Train(dir, "--data", data), "words.csv", "line 2", "column 2", "abc");
    }

    // a header wider than its rows: a column is missing from them, and their last feature would be taken as the label
    [Fact]
    public void CsvHeaderNamingMoreColumnsThanTheRowsNamesTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("short.csv", "x1,x2,x3,label\n1,2,3\n4,5,1\n");
        AssertFailedWithoutWriting(dir, Train(dir, "--data", data), "short.csv line 2",
            "expected 4 fields, as the header on line 1 names, found 3");
    }

    [Fact]
    public void MissingDataFileIsNamed()
    {
        using var dir = new TempDirectory();
        AssertFailedWithoutWriting(dir, Train(dir, "--data", dir.File("absent.csv")), "absent.csv");
    }

    [Fact]
    public void UnknownActivationListsTheValidOnes()
    {
        using var dir = new TempDirectory();
        AssertFailedWithoutWriting(dir, Train(dir, "--activation", "swish"), "swish", "sigmoid, tanh, relu");
    }

    [Fact]
    public void UnknownOptimizerListsTheValidOnes()
    {
        using var dir = new TempDirectory();
        AssertFailedWithoutWriting(dir, Train(dir, "--optimizer", "lbfgs"), "lbfgs", "adam", "nadam");
    }

    [Fact]
    public void UnknownBackendListsTheAvailableOnes()
    {
        using var dir = new TempDirectory();
        AssertFailedWithoutWriting(dir, Train(dir, "--backend", "tpu"), "tpu", "reference");
    }

    [Fact]
    public void InitModelThatDoesNotMatchTheDataNamesTheFileAndField()
    {
        using var dir = new TempDirectory();
        string model = dir.Write("tiny.json", TinyModel);
        string data = dir.Write("two.csv", "0.1,0.2,0.5\n");
        AssertFailedWithoutWriting(dir, Train(dir, "--init", model, "--data", data, "--targets", "1"),
            "tiny.json", "inputs", "3 inputs", "2 features");
    }

    [Fact]
    public void MalformedModelFileNamesTheField()
    {
        using var dir = new TempDirectory();
        string model = dir.Write("bad.json", TinyModel.Replace("[[0.1, 0.2, 0.3]]", "[[0.1, 0.2]]", StringComparison.Ordinal));
        string data = dir.Write("three.csv", "0.1,0.2,0.3,0.5\n");
        AssertFailedWithoutWriting(dir, Train(dir, "--init", model, "--data", data, "--targets", "1"),
            "bad.json", "layers[0].weights[0]", "expected 3");
    }

    [Fact]
    public void BadBatchIsExplained()
    {
        using var dir = new TempDirectory();
        AssertFailedWithoutWriting(dir, Train(dir, "--batch", "many"), "--batch", "full");
    }
}
