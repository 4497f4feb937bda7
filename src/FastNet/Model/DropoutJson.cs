using System.Text.Json;

namespace FastNet.Model;

/// <summary>Reads a list of drop rates, as model files and checkpoints record them: one rate 0 ≤ p &lt; 1 per hidden
/// layer, so a list that could not have been trained with is refused naming the field.</summary>
internal static class DropoutJson
{
    public static double[] Read(JsonFieldReader reader, JsonElement array, string field, int hiddenLayers)
    {
        reader.Expect(array, JsonValueKind.Array, field);
        if (array.GetArrayLength() != hiddenLayers)
        {
            throw reader.Error(field,
                $"expected {hiddenLayers} drop rates (one per hidden layer), found {array.GetArrayLength()}");
        }
        double[] rates = new double[hiddenLayers];
        int k = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string at = $"{field}[{k}]";
            double rate = reader.Double(item, at);
            rates[k++] = rate is >= 0 and < 1
                ? rate
                : throw reader.Error(at, $"expected a drop rate p with 0 ≤ p < 1, found {JsonFieldReader.Raw(item)}");
        }
        return rates;
    }
}
