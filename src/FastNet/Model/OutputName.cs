namespace FastNet.Model;

/// <summary>
/// What a class or target name may hold. Names head the columns of predict's CSV and the rows of eval's table, so a
/// line break or another control character (a broken line, or terminal codes that rewrite the screen) is refused
/// where a name is read: a CSV label column, a model file, a checkpoint, ONNX metadata.
/// </summary>
internal static class OutputName
{
    /// <summary>Why <paramref name="name"/> cannot name an output, or null when it can; <paramref name="what"/> says
    /// what it names ("a class name").</summary>
    public static string? Problem(string name, string what) =>
        name.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029')
            ? $"expected {what} without control characters, found {QuotedText.Of(name)}"
            : null;
}
