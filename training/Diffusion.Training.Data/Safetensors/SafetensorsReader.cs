using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace Diffusion.Training.Data.Safetensors;

/// <summary>
/// Parses and validates a safetensors file: the header length against the file size, the header
/// JSON, each entry's dtype, shape and offsets, and that the offsets tile the data exactly (from 0,
/// contiguous, no overlap, no trailing bytes). Problems are reported as <see cref="FormatException"/>
/// with a message that completes "Cannot read safetensors file 'path': ...".
/// </summary>
internal static class SafetensorsReader
{
    private sealed record Entry(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End);

    public static SafetensorsContent Read(SafeFileHandle handle, string source)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < sizeof(ulong))
        {
            throw new FormatException($"it is {fileLength} bytes long, shorter than the 8-byte header length");
        }

        var prefix = new byte[sizeof(ulong)];
        ReadExactly(handle, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafetensorsFile.MaxHeaderLength)
        {
            throw new FormatException($"its header length {headerLength} exceeds the {SafetensorsFile.MaxHeaderLength}-byte limit");
        }

        long dataStart = sizeof(ulong) + (long)headerLength;
        if (dataStart > fileLength)
        {
            throw new FormatException($"its header declares {headerLength} bytes but only {fileLength - sizeof(ulong)} follow the length");
        }

        var header = new byte[headerLength];
        ReadExactly(handle, header, sizeof(ulong));
        (List<Entry> entries, Dictionary<string, string> metadata) = ParseHeader(header);
        ValidateOffsets(entries, fileLength - dataStart);

        var tensors = new List<KeyValuePair<string, SafetensorsTensor>>(entries.Count);
        foreach (Entry entry in entries)
        {
            long size = entry.End - entry.Begin;
            if (size > Array.MaxLength)
            {
                throw new FormatException($"tensor '{entry.Name}' is {size} bytes, more than one array can hold");
            }

            var bytes = new byte[size];
            ReadExactly(handle, bytes, dataStart + entry.Begin);
            tensors.Add(new(entry.Name, new SafetensorsTensor(entry.DType, entry.Shape, bytes)));
        }

        return new SafetensorsContent(source, tensors, metadata);
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] header)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw new FormatException("its header does not start with '{'");
        }

        if (!Utf8.IsValid(header))
        {
            throw new FormatException("its header is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new FormatException($"its header is not valid JSON ({e.Message.TrimEnd('.')})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("its header is not a JSON object");
            }

            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new FormatException($"its header names '{property.Name}' twice");
                }

                if (property.Name == SafetensorsFile.MetadataKey)
                {
                    ParseMetadata(property.Value, metadata);
                }
                else
                {
                    entries.Add(ParseEntry(property.Name, property.Value));
                }
            }

            return (entries, metadata);
        }
    }

    private static void ParseMetadata(JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"its {SafetensorsFile.MetadataKey} is not a JSON object of strings");
        }

        foreach (JsonProperty pair in element.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(pair.Name, pair.Value.GetString()!))
            {
                throw new FormatException($"its {SafetensorsFile.MetadataKey} entry '{pair.Name}' is not a unique string value");
            }
        }
    }

    private static Entry ParseEntry(string name, JsonElement element)
    {
        if (name.Length == 0)
        {
            throw new FormatException("its header has a tensor with an empty name");
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"tensor '{name}' is not described by a JSON object");
        }

        if (!element.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"tensor '{name}' has no \"dtype\" string");
        }

        string dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out SafetensorsDType dtype))
        {
            throw new FormatException($"tensor '{name}' has unknown dtype '{dtypeName}' (known: {string.Join(", ", Enum.GetNames<SafetensorsDType>())})");
        }

        long[] shape = Integers(element, "shape", name);
        long[] offsets = Integers(element, "data_offsets", name);
        if (offsets.Length != 2)
        {
            throw new FormatException($"tensor '{name}' has {offsets.Length} data_offsets instead of 2 ([begin, end])");
        }

        if (offsets[1] < offsets[0])
        {
            throw new FormatException($"tensor '{name}' has data_offsets [{offsets[0]}, {offsets[1]}] that end before they begin");
        }

        long count = SafetensorsTensor.ElementCountOf(shape) ?? throw new FormatException($"tensor '{name}' has shape [{string.Join(", ", shape)}] with too many elements");
        long expected = count > long.MaxValue / dtype.ElementSize() ? -1 : count * dtype.ElementSize();
        if (expected != offsets[1] - offsets[0])
        {
            throw new FormatException(
                $"tensor '{name}' is {dtype} of shape [{string.Join(", ", shape)}], which takes {expected} bytes, but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        }

        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement element, string property, string tensor)
    {
        if (!element.TryGetProperty(property, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"tensor '{tensor}' has no \"{property}\" array");
        }

        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]) || values[i] < 0)
            {
                throw new FormatException($"tensor '{tensor}' has a \"{property}\" entry {item.GetRawText()} that is not a non-negative integer");
            }

            i++;
        }

        return values;
    }

    /// <summary>Checks that the entries, in offset order, cover [0, dataLength) exactly; sorts them into that order.</summary>
    private static void ValidateOffsets(List<Entry> entries, long dataLength)
    {
        foreach (Entry entry in entries)
        {
            if (entry.End > dataLength)
            {
                throw new FormatException($"tensor '{entry.Name}' has data_offsets [{entry.Begin}, {entry.End}] past the end of the {dataLength} data bytes");
            }
        }

        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        Entry? previous = null;
        foreach (Entry entry in entries)
        {
            if (entry.Begin > expected)
            {
                throw new FormatException($"bytes [{expected}, {entry.Begin}) of the data belong to no tensor (a gap before tensor '{entry.Name}')");
            }

            if (entry.Begin < expected)
            {
                throw new FormatException($"tensor '{entry.Name}' at [{entry.Begin}, {entry.End}) overlaps tensor '{previous!.Name}' at [{previous.Begin}, {previous.End})");
            }

            expected = entry.End;
            previous = entry;
        }

        if (expected != dataLength)
        {
            throw new FormatException($"the tensors cover {expected} data bytes but {dataLength} follow the header (trailing bytes)");
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw new FormatException("the file ended early");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
