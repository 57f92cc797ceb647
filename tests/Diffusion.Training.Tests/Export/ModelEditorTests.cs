using Diffusion.Onnx.Graphs;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Training.Export;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;
using Onnx;

namespace Diffusion.Training.Tests.Export;

/// <summary><see cref="ModelEditor"/> and <c>diffusion-train edit-model</c>: a new config or a dynamic size without re-exporting.</summary>
public sealed class ModelEditorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AFixedSizeUNetBecomesDynamicAndComputesWhatTheDynamicExportComputes()
    {
        string dynamic = Export("tiny-unet", "dynamic.onnx"), fixedSize = _folder.File("fixed.onnx"), edited = _folder.File("edited.onnx");
        FixSize(dynamic, fixedSize, 16, 16);
        Assert.Throws<DiffusionRequestException>(() => OnnxDiffusionModel.Load(fixedSize, new ModelLoadOptions { Device = "cpu", Height = 12 }));

        var shape = ModelEditor.Apply(fixedSize, edited, new ModelEditor.Edit(SizeMultiple: 2));

        Assert.Equal(new SampleShape(1, 16, 16), shape);
        Assert.Equal(Generate(dynamic, 12, 20), Generate(edited, 12, 20));
    }

    [Fact]
    public void AnMlpCannotBeMadeDynamicAndNothingIsWritten()
    {
        string mlp = Export("mlp-add", "mlp.onnx"), edited = _folder.File("edited.onnx");

        var e = Assert.ThrowsAny<DiffusionException>(() => ModelEditor.Apply(mlp, edited, new ModelEditor.Edit(SizeMultiple: 1)));

        Assert.Contains("does not run at 2x2", e.Message);
        Assert.False(File.Exists(edited));
        Assert.Equal([Path.GetFileName(mlp)], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ANewSchedulerConfigReplacesTheEmbeddedOneAndTheInputIsUntouched()
    {
        string model = Export("tiny-unet", "model.onnx"), edited = _folder.File("edited.onnx");
        byte[] before = File.ReadAllBytes(model);
        string json;
        using (var loaded = OnnxDiffusionModel.Load(model, new ModelLoadOptions { Device = "cpu" }))
            json = loaded.Config.ToJson().Replace("\"prediction_type\": \"epsilon\"", "\"prediction_type\": \"sample\"", StringComparison.Ordinal);
        Assert.Contains("\"sample\"", json);

        ModelEditor.Apply(model, edited, new ModelEditor.Edit(SchedulerConfigJson: json));

        using var reloaded = OnnxDiffusionModel.Load(edited, new ModelLoadOptions { Device = "cpu" });
        Assert.Equal(Runtime.Denoising.PredictionType.Sample, reloaded.Config.PredictionType);
        Assert.Equal("embedded metadata_props", reloaded.ConfigSource);
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void AnInvalidConfigIsRefusedBeforeAnythingIsWritten()
    {
        string model = Export("tiny-unet", "model.onnx"), edited = _folder.File("edited.onnx");
        var e = Assert.ThrowsAny<DiffusionException>(() => ModelEditor.Apply(model, edited, new ModelEditor.Edit(SchedulerConfigJson: "{ \"num_train_timesteps\": -4 }")));
        Assert.Contains("num_train_timesteps", e.Message);
        Assert.False(File.Exists(edited));
    }

    [Fact]
    public void TheCommandEditsInPlaceAndRefusesAnEmptyEdit()
    {
        string model = Export("tiny-unet", "model.onnx"), fixedSize = _folder.File("fixed.onnx");
        FixSize(model, fixedSize, 16, 16);

        var nothing = CliProcess.Run("edit-model", fixedSize, "--out", fixedSize);
        Assert.Equal(1, nothing.Code);
        Assert.Contains("nothing to edit", nothing.Error);

        var edit = CliProcess.Run("edit-model", fixedSize, "--out", fixedSize, "--size-multiple", "2");
        Assert.True(edit.Code == 0, edit.Error);
        Assert.Contains("other sizes in multiples of 2", edit.Out);
        using var resized = OnnxDiffusionModel.Load(fixedSize, new ModelLoadOptions { Device = "cpu", Height = 8, Width = 8 });
        Assert.Equal(new SampleShape(1, 8, 8), resized.SampleShape);
    }

    private string Export(string network, string fileName) => TestNetworks.Export(network, _folder.File(fileName));

    /// <summary>A copy of a dynamic-size export declared at a fixed size, as models exported before dynamic sizes were.</summary>
    private static void FixSize(string dynamicPath, string path, int height, int width)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(dynamicPath));
        foreach (var value in new[] { model.Graph.Input[0], model.Graph.Output[0] })
        {
            var dims = value.Type.TensorType.Shape.Dim;
            dims[2] = new TensorShapeProto.Types.Dimension { DimValue = height };
            dims[3] = new TensorShapeProto.Types.Dimension { DimValue = width };
        }
        var multiple = model.MetadataProps.Single(p => p.Key == OnnxDiffusionModel.SampleSizeMultipleMetadataKey);
        model.MetadataProps.Remove(multiple);
        model.Save(path);
    }

    private static float[] Generate(string path, int height, int width)
    {
        using var model = OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Threads = 1, Height = height, Width = width });
        return Runtime.Generation.Generator.Generate(model, new GenerationOptions { Sampler = "ddim", Steps = 3, Count = 2, ClassLabels = [1, 2] }).Data.ToArray();
    }
}
