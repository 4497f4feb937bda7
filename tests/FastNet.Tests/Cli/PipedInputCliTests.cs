using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// <c>eval --model</c> and <c>predict --input</c> given a pipe (bash's <c>&lt;(...)</c>) read what a regular file
/// gives: both look at the first bytes to tell a checkpoint from a model file, or IDX images from CSV, and then read on
/// from the same opening, where opening the pipe again found its first bytes gone ("not valid JSON", "not a FastNet
/// checkpoint", "rows of 62 values"). A gzip file through a pipe (<c>&lt;(gzip -c ...)</c>, or on standard input as
/// <c>--data /dev/stdin</c>) is decompressed as on disk, where it was read as it is ("expected at least 2 fields").
/// </summary>
public sealed class PipedInputCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> PipedCommands() => new()
    {
        // eval's first line names the model's path, which differs
        { "a model file to eval", "cmp <(fastnet eval --model <(cat m.json) | tail -n +2) <(fastnet eval --model m.json | tail -n +2)" },
        { "a checkpoint to eval", "cmp <(fastnet eval --model <(cat m.ckpt) | tail -n +2) <(fastnet eval --model m.ckpt | tail -n +2)" },
        {
            "a CSV to predict",
            "fastnet predict --model m.json --input <(cat zero.csv) --output piped.csv\n"
                + "fastnet predict --model m.json --input zero.csv --output file.csv\ncmp piped.csv file.csv"
        },
        {
            "IDX images to predict",
            "fastnet predict --model m.json --input <(cat images.idx) --output piped.csv\n"
                + "fastnet predict --model m.json --input images.idx --output file.csv\ncmp piped.csv file.csv"
        },
        {
            "a gzip CSV to predict",
            "fastnet predict --model m.json --input <(gzip -c zero.csv) --output piped.csv\n"
                + "fastnet predict --model m.json --input zero.csv --output file.csv\ncmp piped.csv file.csv"
        },
        // the model files record the data's path, which differs
        {
            "a gzip CSV to train on",
            $"{TrainOn("<(gzip -c rows.csv)", "piped.json")}\n{TrainOn("rows.csv.gz", "file.json")}\n{SameModel("piped.json", "file.json")}"
        },
        {
            "gzip on standard input to train on",
            $"gzip -c rows.csv | {TrainOn("/dev/stdin", "stdin.json")}\n{TrainOn("rows.csv.gz", "file.json")}\n{SameModel("stdin.json", "file.json")}"
        },
    };

    private static string TrainOn(string data, string save) =>
        $"fastnet train --data {data} --layers 4 --epochs 2 --no-progress --save {save}";

    private static string SameModel(string one, string other) =>
        $"cmp <(grep -v '\"source\"' {one}) <(grep -v '\"source\"' {other})";

    [Theory]
    [MemberData(nameof(PipedCommands))]
    public void APipeReadsAsTheFileItCarries(string what, string script)
    {
        CliRun train = CliRun.Of("train", "--layers", "8", "--epochs", "1", "--save", _dir.File("m.json"),
            "--checkpoint", _dir.File("m.ckpt"));
        Assert.True(train.ExitCode == 0, train.ToString());
        _dir.Write("zero.csv", "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,"
            + "4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0\n");
        _dir.Write("images.idx", IdxFiles.Images(3, 8, 8, i => (byte)(i % 17)));
        _dir.Write("rows.csv", string.Concat(Enumerable.Range(0, 60).Select(r => $"{r % 7},{r % 5},{r % 3 % 2}\n")));
        _dir.Write("rows.csv.gz", Fuzzing.SeedFiles.Gzip(File.ReadAllBytes(_dir.File("rows.csv"))));

        (int exit, string output) = FastNetScript.Run(_dir.Path, script);

        Assert.True(exit == 0, $"{what}: exit {exit}\n{output}");
    }
}
