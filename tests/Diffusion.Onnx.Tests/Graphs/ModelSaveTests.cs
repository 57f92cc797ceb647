using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Onnx.Tests.Graphs;

public sealed class ModelSaveTests
{
    private static OnnxModelBuilder Identity()
    {
        var g = new OnnxModelBuilder();
        g.Output(g.Input("x", ElementType.Float32, 1), ElementType.Float32, 1);
        return g;
    }

    [Fact]
    public void SaveWritesTheModelAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");

        Identity().Save(path);

        Assert.Equal(Identity().ToByteArray(), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
        using var session = new InferenceSession(path);
        Assert.Equal(["x"], session.InputNames);
    }

    [Fact]
    public void SaveReplacesAnExistingFile()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "nested", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "old contents");

        Identity().Save(path);

        Assert.Equal(Identity().ToByteArray(), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void SaveCreatesMissingFolders()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "unet", "deeper", "model.onnx");

        Identity().Save(path);

        Assert.Equal(Identity().ToByteArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void UnwritablePathGivesAClearError()
    {
        using var folder = new TempFolder();
        var blocker = folder.File("a-file");
        File.WriteAllText(blocker, "not a folder");
        var path = Path.Combine(blocker, "model.onnx"); // a folder path running through a regular file

        var error = Assert.Throws<IOException>(() => Identity().Save(path));

        Assert.StartsWith($"Cannot write '{path}'", error.Message);
        Assert.Contains("Choose a writable path", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal([blocker], Directory.GetFiles(folder.Path));
    }
}
