using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Diffusion.Training.Data.Safetensors;

/// <summary>The order, offsets and header of a file about to be written.</summary>
internal sealed class SafetensorsLayout
{
    private const int Alignment = 8;

    private readonly List<KeyValuePair<string, SafetensorsTensor>> ordered;
    private readonly byte[] header;

    private SafetensorsLayout(List<KeyValuePair<string, SafetensorsTensor>> ordered, byte[] header)
    {
        this.ordered = ordered;
        this.header = header;
    }

    public static SafetensorsLayout Plan(IEnumerable<KeyValuePair<string, SafetensorsTensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, SafetensorsTensor tensor) in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            if (string.IsNullOrEmpty(name) || name == SafetensorsFile.MetadataKey)
            {
                throw new ArgumentException($"Tensor name '{name}' is not allowed; use a non-empty name other than {SafetensorsFile.MetadataKey}.", nameof(tensors));
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"Tensor name '{name}' is given twice; tensor names must be unique.", nameof(tensors));
            }
        }

        List<KeyValuePair<string, SafetensorsTensor>> ordered = [.. tensors
            .OrderByDescending(t => t.Value.DType.ElementSize())
            .ThenBy(t => t.Key, StringComparer.Ordinal)];
        return new SafetensorsLayout(ordered, Header(ordered, metadata));
    }

    public void WriteTo(Stream stream)
    {
        stream.Write(SafetensorsFile.LengthPrefix(header.Length));
        stream.Write(header);
        foreach ((_, SafetensorsTensor tensor) in ordered)
        {
            stream.Write(tensor.Bytes);
        }
    }

    private static byte[] Header(List<KeyValuePair<string, SafetensorsTensor>> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafetensorsFile.MetadataKey);
                foreach ((string key, string value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach ((string name, SafetensorsTensor tensor) in ordered)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", tensor.DType.ToString());
                json.WriteStartArray("shape");
                foreach (long d in tensor.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.Bytes.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        int length = (int)buffer.Length;
        int padded = (sizeof(ulong) + length + Alignment - 1) / Alignment * Alignment - sizeof(ulong);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padded - length)));
        return buffer.ToArray();
    }
}
