using System.Globalization;

namespace FastNet.Tests.Data;

/// <summary>A CSV file with a header, three features on very different scales (so every scaling mode gives other
/// numbers) and three classes that depend on them.</summary>
internal static class ThreeClassCsv
{
    public static string Write(TempDirectory dir, int seed, int rows, string name = "data.csv")
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder("a,b,c,label\n");
        for (int r = 0; r < rows; r++)
        {
            double a = random.NextDouble() * 1000 - 200, b = random.NextDouble() * 0.01, c = random.NextDouble() * 6 - 3;
            int label = a / 400 + c > 1.5 ? 2 : b > 0.005 ? 1 : 0;
            text.Append(string.Create(CultureInfo.InvariantCulture, $"{a:F3},{b:F6},{c:F4},{label}\n"));
        }
        return dir.Write(name, text.ToString());
    }
}
