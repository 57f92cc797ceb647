using System.Text.Json;

namespace Diffusion.Server.Tests.Support;

/// <summary>Parses a text/event-stream body into (event name, JSON data) pairs.</summary>
internal static class ServerSentEvents
{
    public static List<(string Name, JsonElement Data)> Parse(string body)
    {
        var events = new List<(string, JsonElement)>();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string name = "message", data = "";
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
            }
            events.Add((name, JsonDocument.Parse(data).RootElement.Clone()));
        }
        return events;
    }
}
