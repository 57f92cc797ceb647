using Diffusion.Runtime.IO;
using Google.Protobuf;
using Onnx;

namespace Diffusion.Onnx.Graphs;

/// <summary>Writing models (and the files that go with them) to disk.</summary>
public static class ModelFiles
{
    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically (the runtime's
    /// <see cref="AtomicFile"/>: a temporary file renamed over the target), so readers never see a
    /// half-written model. Missing parent folders are created.
    /// </summary>
    /// <exception cref="IOException">The path cannot be written; the message names it and the reason.</exception>
    public static void Save(this ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        CreateFolderOf(path);
        AtomicFile.WriteAllBytes(path, model.ToByteArray());
    }

    /// <summary>Creates the folder <paramref name="path"/> goes in, if it is missing.</summary>
    /// <exception cref="IOException">The folder cannot be created; the message names the path.</exception>
    public static void CreateFolderOf(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write '{path}': its folder '{folder}' cannot be created ({e.Message.TrimEnd('.')}). Choose a writable path.", e);
        }
    }
}
