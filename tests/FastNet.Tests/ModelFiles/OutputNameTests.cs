using System.Text.Json;
using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Model;
using FastNet.Tests.Checkpoints;
using FastNet.Tests.Cli;
using FastNet.Tests.Data;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests.ModelFiles;

/// <summary>
/// Class and target names head the columns of predict's CSV and the rows of eval's table: a name holding a line break
/// or terminal codes broke the CSV's rows and the table's lines or rewrote the screen. Such a name is refused where it
/// is read (a model file, a checkpoint header, a CSV label column), naming the file, the field or line, and the name,
/// escaped.
/// </summary>
public sealed class OutputNameTests : IDisposable
{
    private const string Model = """
        { "format": "fastnet-model", "version": 2, "inputs": 1, "NAMES": ["a", "NAME"],
          "layers": [ { "units": 2, "activation": "identity", "weights": [[0.5], [0.25]] } ] }
        """;

    private static readonly Lazy<byte[]> Checkpoint = new(() => CheckpointFile.Serialize(SeedFiles.TrainedCheckpoint()));

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string, string> HostileNames() => new()
    {
        { "classes", "one\nline", ", field classes[1]: expected a class name without control characters, found \"one\\nline\"" },
        { "targets", "\u001b[2Jy", ", field targets[1]: expected a target name without control characters, found \"\\u001b[2Jy\"" },
        { "classes", "a\u2028b", ", field classes[1]: expected a class name without control characters, found \"a\\u2028b\"" },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void AModelFileNameIsRefusedNamingTheField(string member, string name, string expected)
    {
        Assert.NotNull(ModelJson.Read(_dir.Write("valid.json", Model.Replace("NAMES", member, StringComparison.Ordinal)
            .Replace("NAME", "b", StringComparison.Ordinal))));
        string path = _dir.Write("m.json", Model.Replace("NAMES", member, StringComparison.Ordinal)
            .Replace("\"NAME\"", JsonSerializer.Serialize(name), StringComparison.Ordinal));

        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));

        Assert.Equal(path + expected, e.Message);
    }

    // A comma is allowed in a name, and predict quotes it (RFC 4180), as it does a class name in its rows.
    [Fact]
    public void PredictQuotesATargetNameHoldingAComma()
    {
        string model = _dir.Write("r.json", """
            { "format": "fastnet-model", "version": 2, "inputs": 1, "targets": ["y, scaled \"twice\""],
              "layers": [ { "units": 1, "activation": "identity", "weights": [[2]] } ] }
            """);
        string output = _dir.File("p.csv");

        CliRun run = CliRun.Of("predict", "--model", model, "--input", _dir.Write("x.csv", "0.5\n"), "--output", output);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("\"y, scaled \"\"twice\"\"\"\n1\n", File.ReadAllText(output));
    }

    [Fact]
    public void ACheckpointNameIsRefusedNamingTheField()
    {
        byte[] bytes = CheckpointHeaders.Rewrite(Checkpoint.Value, header =>
            header.Replace("{\"inputs\":", "{\"classes\":[\"a\",\"b\\u0007\"],\"inputs\":", StringComparison.Ordinal));

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "names.ckpt"));

        Assert.Equal("names.ckpt, field classes[1]: expected a class name without control characters, found \"b\\u0007\"", e.Message);
    }

    [Fact]
    public void ACsvLabelIsRefusedNamingTheLineAndColumn()
    {
        string path = _dir.Write("d.csv", "1,cat\n2,dog\n3,\u001b[31mred\n");

        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));

        Assert.Equal($"{path} line 3, column 2: expected a class name without control characters, found \"\\u001b[31mred\"", e.Message);
    }
}
