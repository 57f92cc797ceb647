using Diffusion.Torch;
using Diffusion.Torch.Modules;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Diffusion.Training.Tests.Export.Support;

namespace Diffusion.Training.Tests.Export;

public class ExportFileTests
{
    [Fact]
    public void AnUnwritablePathIsAOneLineErrorNamingIt()
    {
        using var generator = new Generator(1);
        using var network = TestNetworks.Create("mlp-add", generator);
        using var folder = new TempFolder();
        var blocker = folder.File("not-a-folder");
        File.WriteAllText(blocker, "a file where a folder should be");
        var path = Path.Combine(blocker, "model.onnx");

        var error = Assert.Throws<IOException>(() => OnnxExporter.Export(network, TestNetworks.Ddpm, path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal([blocker], Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void ExportReplacesAnExistingFileAndLeavesNoTemporaryFile()
    {
        using var generator = new Generator(2);
        using var network = TestNetworks.Create("mlp-add", generator);
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        File.WriteAllText(path, "an older model");

        OnnxExporter.Export(network, TestNetworks.Ddpm, path);

        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(OnnxExporter.ToModel(network, TestNetworks.Ddpm), global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)));
    }

    [Fact]
    public void AFailedExportLeavesTheExistingFileAsItWas()
    {
        using var generator = new Generator(3);
        using var network = TestNetworks.Create("mlp-add", generator);
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        File.WriteAllText(path, "an older model");

        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(network, TestNetworks.Ddpm with { InChannels = 5 }, path));

        Assert.Equal("an older model", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void OnlyWholeNetworksExport()
    {
        using var layer = new Linear(2, 2);
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.ToModel(layer, TestNetworks.Ddpm));
        Assert.Contains("Linear", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AUNetWhoseOutputIsNotShapedLikeItsSampleIsRefused()
    {
        using var generator = new Generator(4);
        using var network = new UNet(TestNetworks.TinyConditionalUNet with { OutChannels = 2 }, generator);
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.ToModel(network, TestNetworks.Ddpm));
        Assert.Contains("OutChannels", error.Message, StringComparison.Ordinal);
    }
}
