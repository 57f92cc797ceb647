using System.Text.Json;

namespace Diffusion.Training.Data.Mnist;

/// <summary>
/// One of the package's <c>package/src/digits/D.json</c> files: <c>{"data": [...]}</c>, the pixels
/// of every image of digit D one after another, 28 x 28 each, row by row, scaled to [0, 1].
/// </summary>
internal static class MnistDigitFile
{
    /// <summary>The file of <paramref name="digit"/> inside an extracted package folder.</summary>
    public static string PathOf(string packageFolder, int digit) =>
        Path.Combine(packageFolder, "package", "src", "digits", $"{digit}.json");

    /// <summary>Reads the pixels of the file (a multiple of 28 x 28 values in [0, 1]).</summary>
    /// <exception cref="DatasetException">The file is missing or not in the expected form.</exception>
    public static List<float> Read(string path, string packageFolder)
    {
        string refetch = $"delete '{packageFolder}' so that it is fetched again";
        if (!File.Exists(path))
        {
            throw new DatasetException($"The MNIST package is malformed: '{path}' is missing; {refetch}.");
        }

        try
        {
            List<float> pixels = Parse(File.ReadAllBytes(path));
            int imageSize = MnistDataset.NativeSize * MnistDataset.NativeSize;
            if (pixels.Count == 0 || pixels.Count % imageSize != 0)
            {
                throw new FormatException($"it holds {pixels.Count} pixels, not a positive multiple of {imageSize} (28 x 28)");
            }

            return pixels;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new DatasetException($"The MNIST package is malformed: '{path}': {e.Message}; {refetch}.", e);
        }
    }

    private static List<float> Parse(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject, "the file does not hold a JSON object");
        List<float>? pixels = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            Expect(ref reader, JsonTokenType.StartArray, "\"data\" is not an array");
            pixels = ReadPixels(ref reader);
        }

        return pixels ?? throw new FormatException("it has no \"data\" array");
    }

    private static List<float> ReadPixels(ref Utf8JsonReader reader)
    {
        var pixels = new List<float>(1 << 20);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out float value) || value is < 0 or > 1 || float.IsNaN(value))
            {
                throw new FormatException($"pixel {pixels.Count} is not a number in [0, 1]");
            }

            pixels.Add(value);
        }

        return pixels;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string problem)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new FormatException(problem);
        }
    }
}
