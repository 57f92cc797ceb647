using Google.Protobuf;
using Onnx;

namespace Diffusion.Onnx.Graphs;

/// <summary>Writing models to disk.</summary>
public static class ModelFiles
{
    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: the bytes go to a
    /// temporary file in the same folder, which is then renamed over the target, so readers
    /// never see a half-written model. Missing parent folders are created.
    /// </summary>
    /// <exception cref="IOException">The path cannot be written; the message names it and the reason.</exception>
    public static void Save(this ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.WriteAllBytes(path, model.ToByteArray());
    }
}
