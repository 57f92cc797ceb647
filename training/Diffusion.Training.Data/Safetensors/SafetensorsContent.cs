namespace Diffusion.Training.Data.Safetensors;

/// <summary>The tensors and metadata read from a safetensors file.</summary>
public sealed class SafetensorsContent
{
    internal SafetensorsContent(string source, IReadOnlyList<KeyValuePair<string, SafetensorsTensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Source = source;
        Names = [.. tensors.Select(t => t.Key)];
        Tensors = tensors.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        Metadata = metadata;
    }

    /// <summary>The file the content was read from.</summary>
    public string Source { get; }

    /// <summary>The tensor names in the order their data is stored.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map (empty if the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such tensor; the message names the file and the tensors it holds.</exception>
    public SafetensorsTensor Tensor(string name) =>
        Tensors.TryGetValue(name, out SafetensorsTensor? tensor)
            ? tensor
            : throw new KeyNotFoundException(
                $"'{Source}' has no tensor '{name}'; it holds {(Names.Count == 0 ? "none" : string.Join(", ", Names))}. Was it written by another program or version?");
}
