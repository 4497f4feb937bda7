using Xunit;

namespace FastNet.Tests;

/// <summary>What a message quotes from a file stays on one line, shows what is invisible, and stays short.</summary>
public class QuotedTextTests
{
    [Theory]
    [InlineData("abc", "\"abc\"")]
    [InlineData("", "\"\"")]
    [InlineData("two\nlines", "\"two\\nlines\"")]
    [InlineData("cr\rtab\t", "\"cr\\rtab\\t\"")]
    [InlineData("bell\u0007esc\u001b[31m", "\"bell\\u0007esc\\u001b[31m\"")]
    [InlineData("nul\0del\u007f", "\"nul\\u0000del\\u007f\"")]
    [InlineData("say \"hi\" \\ bye", "\"say \\\"hi\\\" \\\\ bye\"")]
    [InlineData("right\u202eleft", "\"right\\u202eleft\"")]
    [InlineData("zero\u200bwidth", "\"zero\\u200bwidth\"")]
    [InlineData("line\u2028sep", "\"line\\u2028sep\"")]
    [InlineData("café 日本 🙂", "\"café 日本 🙂\"")]
    public void ControlAndInvisibleCharactersAreEscaped(string text, string expected) =>
        Assert.Equal(expected, QuotedText.Of(text));

    // Not theory data: a lone surrogate does not survive the test runner's serialization of it.
    [Fact]
    public void ALoneSurrogateIsEscaped() => Assert.Equal("\"lone \\ud800\"", QuotedText.Of("lone \ud800"));

    [Fact]
    public void ALongFragmentIsCutWithAnEllipsis()
    {
        string text = new('x', 10_000);
        string quoted = QuotedText.Of(text);
        Assert.Equal("\"" + new string('x', QuotedText.MaxLength) + "\"…", quoted);
    }

    [Fact]
    public void AFragmentOfExactlyTheLimitIsWhole() =>
        Assert.Equal("\"" + new string('y', QuotedText.MaxLength) + "\"", QuotedText.Of(new string('y', QuotedText.MaxLength)));

    [Fact]
    public void BareTextIsEscapedAndCutWithoutQuotes()
    {
        Assert.Equal("Op\\nType", QuotedText.Bare("Op\nType"));
        Assert.Equal(new string('z', QuotedText.MaxLength) + "…", QuotedText.Bare(new string('z', 500)));
    }

    [Fact]
    public void TheCutNeverSplitsASurrogatePair()
    {
        // The limit falls between the two halves of an emoji: the emoji goes whole or not at all.
        string text = new string('a', QuotedText.MaxLength - 1) + "🙂" + "tail";
        string quoted = QuotedText.Of(text);
        Assert.Equal("\"" + new string('a', QuotedText.MaxLength - 1) + "\"…", quoted);
    }
}
