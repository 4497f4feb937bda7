using FastNet.Checkpoints;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests.Checkpoints;

/// <summary>
/// A checkpoint header (with a valid checksum) that is not valid JSON, or names a member twice, is refused on one line
/// naming the file, the place in the header (line and byte from 1, or the field) and what was expected; a member
/// given twice is not settled by taking the last.
/// </summary>
public sealed class CheckpointHeaderTextTests
{
    private static readonly Lazy<byte[]> Seed = new(() => CheckpointFile.Serialize(SeedFiles.TrainedCheckpoint()));

    // {0} in the expected message is the 1-based byte where the rewritten text starts in the header.
    public static TheoryData<string, string, string> HostileHeaders() => new()
    {
        { "\"mathMode\":", "\"mathMode\":\n\nexact", """field.ckpt: the header is not valid JSON (line 3, byte 1: "e" is an invalid start of a value.)""" },
        { "\"backend\":", "\u001b\"backend\":", """field.ckpt: the header is not valid JSON (line 1, byte {0}: "0x1B" is an invalid start of a property name. Expected a '"'.)""" },
        { "\"loss\":", "\"loss\":\"mse\",\"loss\":", "field.ckpt, field loss: appears twice; each member may appear once" },
        { "\"seed\":", "\"seed\":2,\"seed\":", "field.ckpt, field training.seed: appears twice; each member may appear once" },
        { "\"bias\":", "\"bias\":false,\"bias\":", "field.ckpt, field layers[0].bias: appears twice; each member may appear once" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public void TheErrorNamesTheFileThePlaceAndWhatWasExpectedOnOneLine(string valid, string hostile, string expected)
    {
        int at = 0;
        byte[] bytes = CheckpointHeaders.Rewrite(Seed.Value, header =>
        {
            at = header.IndexOf(valid, StringComparison.Ordinal);
            return header[..at] + hostile + header[(at + valid.Length)..];
        });

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "field.ckpt"));

        Assert.Equal(expected.Replace("{0}", $"{at + 1}", StringComparison.Ordinal), e.Message);
    }
}
