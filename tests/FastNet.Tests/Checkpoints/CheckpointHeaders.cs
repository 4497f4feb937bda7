using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace FastNet.Tests.Checkpoints;

/// <summary>Checkpoint bytes with the JSON header rewritten and the length and checksum made right again, so the
/// rewritten header reaches the header's reader instead of failing the checksum.</summary>
internal static class CheckpointHeaders
{
    public static string Text(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes, 16, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)));

    public static byte[] Rewrite(byte[] bytes, Func<string, string> rewrite)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        byte[] header = Encoding.UTF8.GetBytes(rewrite(Encoding.UTF8.GetString(bytes, 16, length)));
        byte[] result = [.. bytes.AsSpan(0, 16), .. header, .. bytes.AsSpan(16 + length)];
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(12), header.Length);
        SHA256.HashData(result.AsSpan(0, result.Length - 32)).CopyTo(result.AsSpan(result.Length - 32));
        return result;
    }

    /// <summary>The header with the member at <paramref name="path"/> ("training.seed", "layers[0].units") set to
    /// <paramref name="json"/>, or removed when it is null.</summary>
    public static byte[] WithField(byte[] bytes, string path, string? json) => Rewrite(bytes, header =>
    {
        JsonNode root = JsonNode.Parse(header)!;
        string[] steps = path.Split('.');
        JsonNode parent = root;
        foreach (string step in steps[..^1])
        {
            parent = Step(parent, step);
        }
        string last = steps[^1];
        int bracket = last.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            JsonArray array = Step(parent, last[..bracket]).AsArray();
            int index = int.Parse(last[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            array[index] = JsonNode.Parse(json!);
        }
        else if (json is null)
        {
            parent.AsObject().Remove(last);
        }
        else
        {
            parent[last] = JsonNode.Parse(json);
        }
        return root.ToJsonString();
    });

    private static JsonNode Step(JsonNode node, string step)
    {
        int bracket = step.IndexOf('[', StringComparison.Ordinal);
        if (bracket < 0)
        {
            return node[step]!;
        }
        int index = int.Parse(step[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        return node[step[..bracket]]![index]!;
    }
}
