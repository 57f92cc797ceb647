using Diffusion.Torch;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Export;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Export;

/// <summary>An exported denoiser names its training data in the metadata key <c>dataset</c>, which the runtime's eval reads.</summary>
public class ExportDatasetTests
{
    [Fact]
    public void ACheckpointExportRecordsTheRunsDataset()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        string checkpoint;
        using (var trainer = Training.Trainer.Start(TinyRuns.Run(data, TinyRuns.Options(3)), data, folder.Path))
        {
            trainer.Train();
            checkpoint = trainer.CheckpointPath;
        }
        string path = folder.File("ring.onnx");
        CheckpointExport.ToOnnx(checkpoint, path);
        using var model = new OrtModel(path);
        Assert.Equal("ring", model.Session.ModelMetadata.CustomMetadataMap[OnnxExporter.DatasetKey]);
    }

    [Fact]
    public void TheDatasetKeyIsLeftOutWhenTheCallerKnowsNoDataset()
    {
        using var generator = new Generator(3);
        using var network = TestNetworks.Create("mlp-add", generator);
        Assert.DoesNotContain(OnnxExporter.ToModel(network, TestNetworks.Ddpm).MetadataProps, p => p.Key == OnnxExporter.DatasetKey);
        Assert.Contains(OnnxExporter.ToModel(network, TestNetworks.Ddpm, "moons").MetadataProps, p => p is { Key: OnnxExporter.DatasetKey, Value: "moons" });
    }

    [Theory]
    [InlineData("mnist", "mnist")]
    [InlineData("MNIST", "mnist")]
    [InlineData("/data/runs/my digits.npy", "my digits.npy")]
    [InlineData("relative/points.NPY", "points.NPY")]
    public void TheRecordedNameIsTheBuiltInNameOrTheNpyFileName(string name, string expected) =>
        Assert.Equal(expected, new DatasetSpec { Name = name }.ShortName);
}
