using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diffusion.Training.Networks;

/// <summary>The JSON settings shared by the network configurations (camelCase, enums as strings).</summary>
internal static class NetworkJson
{
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    internal static T Read<T>(string json) where T : class =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"the JSON text holds no {typeof(T).Name}");
}
