using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// Every shell block of the README that shows a <c>fastnet</c> command runs, exactly as printed, against the built
/// command line, in README order in one directory, as a reader following along would: in a block with <c>$ </c>
/// prompts the prompted lines are the commands (the rest is their output), otherwise every line is. Blocks that need
/// the MNIST cache, the network or minutes are listed in <see cref="Excluded"/> with the reason, and the test fails
/// when that list and the README disagree.
/// </summary>
public class ReadmeCommandTests
{
    /// <summary>The first line of each block that is not run, and why.</summary>
    private static readonly Dictionary<string, string> Excluded = new()
    {
        ["fastnet data fetch mnist      # over HTTPS, MD5 of every file checked, cached in ~/.cache/fastnet"] =
            "downloads MNIST (the tests have no internet; MirrorFetchTests covers the download) and trains on it",
        ["$ fastnet train --data mnist --layers 256 --batch 128 --epochs 4 --save straight.json"] =
            "trains on MNIST: needs the MNIST cache and about a minute",
        ["fastnet train --data mnist --backend simd --layers 256 --batch 128 --epochs 3 --lr 0.007 --schedule cosine"] =
            "trains on MNIST: needs the MNIST cache",
        ["dotnet pack FastNet.sln -c Release -o artifacts/packages"] =
            "packs and installs the tool globally (the packaging tests install it into a folder and run it)",
        ["$ fastnet bench --workload sigmoid-1024,relu-adam-1024,sigmoid-64,tanh-64,per-example --backend simd"] =
            "times 5 workloads over 5 repeats of at least 0.5 s each: half a minute",
        ["$ fastnet bench --workload tanh-64 --backend simd --ops"] =
            "times a workload, then its ops: several seconds (BenchOpsCliTests runs --ops on a small network)",
    };

    internal static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastNet.sln")))
            {
                return Path.Combine(dir.FullName, "README.md");
            }
        }
        throw new FileNotFoundException("no FastNet.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>A fenced block that shows a fastnet command: its line in the README, its first line, its commands.</summary>
    internal sealed record Block(int Line, string First, string Script);

    internal static List<Block> CommandBlocks(string[] readme)
    {
        var blocks = new List<Block>();
        for (int i = 0; i < readme.Length; i++)
        {
            if (!readme[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }
            int start = i + 1, end = start;
            while (end < readme.Length && !readme[end].StartsWith("```", StringComparison.Ordinal))
            {
                end++;
            }
            string[] body = readme[start..end];
            i = end;
            if (!body.Any(l => l.StartsWith("fastnet ", StringComparison.Ordinal) || l.StartsWith("$ fastnet ", StringComparison.Ordinal)))
            {
                continue;
            }
            bool prompted = body.Any(l => l.StartsWith("$ ", StringComparison.Ordinal));
            var commands = new List<string>();
            for (int j = 0; j < body.Length; j++)
            {
                if (!prompted)
                {
                    commands.Add(body[j]);
                }
                else if (body[j].StartsWith("$ ", StringComparison.Ordinal))
                {
                    commands.Add(body[j][2..]);
                    while (body[j].EndsWith('\\') && j + 1 < body.Length)
                    {
                        commands.Add(body[++j]);
                    }
                }
            }
            blocks.Add(new Block(start, body[0], string.Join('\n', commands)));
        }
        return blocks;
    }

    [Fact]
    public void EveryReadmeCommandRunsAsPrinted()
    {
        List<Block> blocks = CommandBlocks(File.ReadAllLines(ReadmePath()));
        Assert.Equal(Excluded.Keys.Order(), blocks.Select(b => b.First).Where(Excluded.ContainsKey).Order());
        List<Block> run = [.. blocks.Where(b => !Excluded.ContainsKey(b.First))];
        // the training example, verify, the digits' eval and predict, the seed example, export
        Assert.Equal(5, run.Count);

        using var dir = new TempDirectory();
        foreach (Block block in run)
        {
            (int exit, string output) = FastNetScript.Run(dir.Path, block.Script);
            Assert.True(exit == 0, $"README line {block.Line}: exit {exit}\n{block.Script}\n--- output\n{output}");
        }
        Assert.True(File.Exists(dir.File("trained.json")));
        Assert.True(File.Exists(dir.File("digits.onnx")));
        Assert.StartsWith("class,p0,", File.ReadAllText(dir.File("predictions.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public void PromptedBlocksRunTheirCommandsOnlyAndPlainBlocksRunEveryLine()
    {
        string[] readme =
        [
            "```", "$ fastnet train --epochs 1 \\", "  --save m.json", "epoch 1/1 ...", "$ cat m.json", "{ }", "```",
            "text", "```", "printf 'x' > a.csv", "fastnet eval --model m.json   # a comment", "```",
            "```", "fastnet: error: not a command", "```",
        ];
        List<Block> blocks = CommandBlocks(readme);
        Assert.Equal(2, blocks.Count);
        Assert.Equal("fastnet train --epochs 1 \\\n  --save m.json\ncat m.json", blocks[0].Script);
        Assert.Equal("printf 'x' > a.csv\nfastnet eval --model m.json   # a comment", blocks[1].Script);
    }
}
