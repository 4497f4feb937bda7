using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.ModelFiles;

/// <summary>
/// A model file that is not valid JSON, names a member twice or holds a member no version of it has (a misspelling,
/// which would otherwise be dropped without a word) is refused on one line that names the file, the line and byte
/// (counted from 1) or the field, and what was expected; text from the file is quoted with its control
/// characters escaped, so it can neither run the message over many lines nor flood the terminal.
/// </summary>
public sealed class ModelJsonTextTests : IDisposable
{
    private const string Valid = """
        { "format": "fastnet-model", "version": 2, "inputs": 2, "preprocessing": { "kind": "divide", "divisor": 16 },
          "layers": [ { "units": 1, "activation": "tanh", "weights": [[0.5, 0.25]], "biases": [0] } ] }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string, string> HostileDocuments() => new()
    {
        // the reader quotes the rest of the text, here across two line breaks: cut to 60 characters, escaped
        {
            "\"version\": 2", "\"version\": tru\n\n  ",
            """ line 1, byte 44: not valid JSON: "tru\n\n  , \"inputs\": 2, \"preprocessing\": { \"kind\": \"divide\", \""… is an invalid JSON literal. Expected the literal 'true'."""
        },
        { "\"inputs\": 2,", "\"inputs\": 2 \u001b[2J", """ line 1, byte 56: not valid JSON: "0x1B" is invalid after a value. Expected either ',', '}', or ']'.""" },
        { "\"version\": 2", "\"version\": 2,,", """ line 1, byte 43: not valid JSON: "," is an invalid start of a property name. Expected a '"'.""" },
        { "} ] }", "} ] } }", """ line 2, byte 97: not valid JSON: "}" is invalid after a single JSON value. Expected end of data.""" },
        { "\"divisor\": 16", "\"divisor\": 16, \"divisor\": 1", ", field preprocessing.divisor: appears twice; each member may appear once" },
        { "\"version\": 2,", "\"version\": 2, \"version\": 2,", ", field version: appears twice; each member may appear once" },
        { "\"units\": 1,", "\"units\": 1, \"units\": 1,", ", field layers[0].units: appears twice; each member may appear once" },
        { "\"biases\": [0]", "\"biases\": [0], \"a\\nb\": 1, \"a\\nb\": 2", ", field layers[0].\"a\\nb\": appears twice; each member may appear once" },
    };

    private const string RootMembers = "format, version, inputs, loss, layers, preprocessing, classes, targets, dropout, data";

    public static TheoryData<string, string, string> MisspelledMembers() => new()
    {
        // without the check: no preprocessing, so eval would score raw inputs against a model trained on x / 16
        { "\"preprocessing\"", "\"preprocesing\"", $", field preprocesing: not a member this file may hold; expected {RootMembers}" },
        // without it: a network without biases
        { "\"biases\"", "\"bias\"", ", field layers[0].bias: not a member this file may hold; expected units, activation, weights, biases" },
        { "\"divisor\": 16", "\"divisor\": 16, \"mean\": [0, 0]", ", field preprocessing.mean: not a member this file may hold; expected kind, divisor" },
        {
            "\"inputs\": 2,", "\"inputs\": 2, \"data\": { \"source\": \"digits\", \"targetColumns\": 0, \"validationFraction\": 0, \"seed\": 1, \"testFraktion\": 0.2 },",
            ", field data.testFraktion: not a member this file may hold; expected source, labels, targetColumns, testFraction, validationFraction, seed, header, trainingSha256"
        },
        { "\"inputs\": 2,", "\"inputs\": 2, \"\\u001b[2J\": 0,", $", field \"\\u001b[2J\": not a member this file may hold; expected {RootMembers}" },
    };

    [Theory]
    [MemberData(nameof(MisspelledMembers))]
    public void AMemberNoVersionHasIsRefusedByName(string valid, string misspelled, string expected)
    {
        string path = _dir.Write("m.json", Valid.Replace(valid, misspelled, StringComparison.Ordinal));

        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));

        Assert.Equal(path + expected, e.Message);
    }

    [Theory]
    [MemberData(nameof(HostileDocuments))]
    public void TheErrorNamesTheFileThePlaceAndWhatWasExpectedOnOneLine(string valid, string hostile, string expected)
    {
        Assert.NotNull(ModelJson.Read(_dir.Write("valid.json", Valid)));
        string path = _dir.Write("m.json", Valid.Replace(valid, hostile, StringComparison.Ordinal));

        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));

        Assert.Equal(path + expected, e.Message);
    }
}
