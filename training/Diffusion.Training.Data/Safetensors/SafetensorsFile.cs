using System.Buffers.Binary;
using Diffusion.Runtime.IO;

namespace Diffusion.Training.Data.Safetensors;

/// <summary>
/// Reads and writes safetensors files (the Hugging Face format): an 8-byte little-endian header
/// length N, N bytes of JSON header <c>{"__metadata__": {string: string}, name: {"dtype", "shape",
/// "data_offsets": [begin, end)}}</c>, then the tensors' raw little-endian bytes, offsets relative
/// to the end of the header.
/// </summary>
/// <remarks>
/// Written files are deterministic: metadata keys in ordinal order come first, then the tensors
/// ordered by element size (largest first) and then by name, stored contiguously in that order;
/// the header is padded with spaces so the data starts at a multiple of 8 bytes, which leaves every
/// tensor aligned to its element size.
/// </remarks>
public static class SafetensorsFile
{
    /// <summary>Headers above this size are refused as corrupt (the reference implementation's limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The reserved header key of the metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="tensors">The tensors by name (unique, non-empty, not <see cref="MetadataKey"/>).</param>
    /// <param name="metadata">Free-form string pairs stored in the header, or null for none.</param>
    /// <exception cref="ArgumentException">A tensor name is empty, reserved or repeated.</exception>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, SafetensorsTensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var layout = SafetensorsLayout.Plan(tensors, metadata);
        AtomicFile.Write(path, stream => layout.WriteTo(stream));
    }

    /// <summary>Writes the file's bytes to <paramref name="stream"/> (see <see cref="Write(string, IEnumerable{KeyValuePair{string, SafetensorsTensor}}, IReadOnlyDictionary{string, string}?)"/>).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, SafetensorsTensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        SafetensorsLayout.Plan(tensors, metadata).WriteTo(stream);
    }

    /// <summary>Reads every tensor and the metadata of <paramref name="path"/>, validating the whole file first.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or corrupt; the message names the file and the problem.</exception>
    public static SafetensorsContent Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The safetensors file '{path}' does not exist; check the path.", path);
        }

        using var handle = File.OpenHandle(path);
        try
        {
            return SafetensorsReader.Read(handle, path);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Cannot read safetensors file '{path}': {e.Message}; the file is truncated or corrupt, write it again.", e);
        }
    }

    /// <summary>The 8-byte little-endian length prefix.</summary>
    internal static byte[] LengthPrefix(long headerLength)
    {
        var prefix = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerLength);
        return prefix;
    }
}
