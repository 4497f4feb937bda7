using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// A decimal option reads a number as the README writes it, a point before the decimals: a decimal comma is refused
/// rather than read as a thousands separator (<c>--lr 0,001</c> trained at 1), and so is a value no option can use,
/// Infinity (also written as 1e400), before anything runs; NaN meets each option's range check.
/// </summary>
public sealed class DecimalOptionCliTests
{
    [Theory]
    [InlineData("--lr", "0,001")]
    [InlineData("--weight-decay", "0,0005")]
    [InlineData("--eps", "1,5e-8")]
    [InlineData("--validation-fraction", "0,1")]
    public void TrainRefusesADecimalComma(string option, string value)
    {
        CliRun run = CliRun.Of("train", "--epochs", "0", "--layers", "4", "--no-progress", option, value);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains($"{option}: expected a number such as 0.001", run.Error, StringComparison.Ordinal);
        Assert.Contains("not a comma", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("fastnet train: digits", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--lr", "Infinity")]
    [InlineData("--lr", "1e400")]
    [InlineData("--eps", "Infinity")]
    [InlineData("--weight-decay", "1e400")]
    [InlineData("--test-fraction", "-Infinity")]
    public void TrainRefusesANumberThatIsNotFinite(string option, string value)
    {
        CliRun run = CliRun.Of("train", "--epochs", "0", "--layers", "4", "--no-progress", option, value);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains($"{option}: expected a finite number, got \"{value}\"", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("fastnet train: digits", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void LarsTrustCoefficientMustBeFinite()
    {
        CliRun run = CliRun.Of("train", "--epochs", "0", "--layers", "4", "--no-progress", "--optimizer", "lars",
            "--trust-coefficient", "Infinity");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("--trust-coefficient: expected a finite number", run.Error, StringComparison.Ordinal);
    }

    // the other commands' decimal options read numbers the same way
    [Theory]
    [InlineData("predict", "--divide", "25,5")]
    [InlineData("eval", "--test-fraction", "0,2")]
    [InlineData("bench", "--seconds", "0,5")]
    public void OtherCommandsRefuseADecimalComma(string command, string option, string value)
    {
        string[] required = command switch
        {
            "predict" => ["--model", "m.json", "--input", "x.csv", "--output", "p.csv"],
            "eval" => ["--model", "m.json"],
            _ => ["--workload", "per-example", "--repeats", "1"],
        };

        CliRun run = CliRun.Of([command, .. required, option, value]);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains($"{option}: expected a number such as 0.001", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchSecondsMustBeFinite()
    {
        CliRun run = CliRun.Of("bench", "--workload", "per-example", "--backend", "simd", "--seconds", "Infinity");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("--seconds: expected a finite number, got \"Infinity\"", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictDivisorMustBeFiniteAsAFloat()
    {
        CliRun run = CliRun.Of("predict", "--model", "m.json", "--input", "x.csv", "--output", "p.csv", "--divide", "1e39");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("--divide: expected a finite number, got \"1e39\"", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+0.002", "lr 0.002")]
    [InlineData("2e-3", "lr 0.002")]
    [InlineData(" 0.002 ", "lr 0.002")]
    public void TrainReadsSignedAndExponentForms(string value, string header)
    {
        CliRun run = CliRun.Of("train", "--epochs", "0", "--layers", "4", "--no-progress", "--lr", value);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(header, run.Output, StringComparison.Ordinal);
    }
}
