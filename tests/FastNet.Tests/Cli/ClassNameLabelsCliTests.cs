using System.Text;
using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>CSV class labels given as names: they become the classes in sorted order, are kept in the model file,
/// and name the classes of another file whatever its order.</summary>
public class ClassNameLabelsCliTests
{
    // Each class sits at its own corner of the feature space, so a linear model separates them exactly.
    private static readonly Dictionary<string, string> Features = new(StringComparer.Ordinal)
    {
        ["ant"] = "1,0,0",
        ["cat"] = "0,1,0",
        ["dog"] = "0,0,1",
    };

    private static string Rows(params (string Name, int Count)[] rows)
    {
        var text = new StringBuilder("a,b,c,animal\n");
        foreach ((string name, int count) in rows)
        {
            for (int i = 0; i < count; i++)
            {
                text.Append(Features[name]).Append(',').Append(name).Append('\n');
            }
        }
        return text.ToString();
    }

    private static CliRun Train(TempDirectory dir, string model) =>
        CliRun.Of("train", "--data", dir.Write("train.csv", Rows(("dog", 4), ("cat", 4), ("ant", 4))), "--layers", "none",
            "--optimizer", "adam", "--lr", "0.1", "--batch", "4", "--epochs", "60", "--backend", "simd", "--no-progress",
            "--save", model);

    [Fact]
    public void TrainingKeepsTheNamesInSortedOrderAndEvalReadsAnotherOrderByName()
    {
        using var dir = new TempDirectory();
        string model = dir.File("pets.json");
        CliRun train = Train(dir, model);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Equal(["ant", "cat", "dog"], ModelJson.Read(model).Metadata.ClassNames!);

        string other = dir.Write("other.csv", Rows(("cat", 1), ("dog", 3), ("ant", 2)));
        CliRun eval = CliRun.Of("eval", "--model", model, "--data", other, "--backend", "simd");

        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("accuracy 1.0000", eval.Output, StringComparison.Ordinal);
        // The matrix rows are the model's classes, each counting its own examples of the other file.
        Assert.Equal(["ant", "2", "0", "0"], Row(eval.Output, "ant"));
        Assert.Equal(["cat", "0", "1", "0"], Row(eval.Output, "cat"));
        Assert.Equal(["dog", "0", "0", "3"], Row(eval.Output, "dog"));
        Assert.Contains("macro average    1.0000    1.0000    1.0000", eval.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void EvalOnALabelTheModelDoesNotKnowNamesFileLineLabelAndClasses()
    {
        using var dir = new TempDirectory();
        string model = dir.File("pets.json");
        Assert.True(Train(dir, model).ExitCode == 0);
        string other = dir.Write("birds.csv", "a,b,c,animal\n1,0,0,ant\n0,1,0,bird\n");

        CliRun eval = CliRun.Of("eval", "--model", model, "--data", other, "--backend", "simd");

        Assert.NotEqual(0, eval.ExitCode);
        Assert.Contains($"{other} line 3, column 4: class label \"bird\" is not one of the 3 classes: \"ant\", \"cat\", \"dog\"",
            eval.Error, StringComparison.Ordinal);
    }

    private static string[] Row(string output, string name) =>
        output.Split('\n').SkipWhile(l => !l.StartsWith("true", StringComparison.Ordinal))
            .First(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
