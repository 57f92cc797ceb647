using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Training.Export;
using Diffusion.Training.Tests.Export.Support;
using RuntimeGenerator = Diffusion.Runtime.Generation.Generator;

namespace Diffusion.Training.Tests.Export;

public class ExportedModelRuntimeTests
{
    private static readonly ModelLoadOptions Cpu = new() { Device = "cpu" };

    private static GenerationOptions Ddim(int count) => new() { Sampler = "ddim", Steps = 4, Count = count, Seed = 42 };

    [Fact]
    public void AClassConditionalUNetLoadsAndGeneratesWithDdimForALabelAndForTheNullLabel()
    {
        using var folder = new TempFolder();
        var path = folder.File("tiny.onnx");
        SchedulerConfig embedded;
        using (var generator = new Diffusion.Torch.Generator(21))
        using (var network = TestNetworks.Create("tiny-unet", generator))
        {
            embedded = OnnxExporter.Export(network, TestNetworks.Ddpm, path);
        }

        using var model = OnnxDiffusionModel.Load(path, Cpu);
        Assert.Equal(new SampleShape(1, 16, 16), model.SampleShape);
        Assert.NotNull(model.ClassLabelsInput);
        Assert.Equal(embedded, model.Config);
        Assert.Null(model.FixedBatchSize);

        var labelled = RuntimeGenerator.Generate(model, Ddim(3) with { ClassLabels = [2] });
        var unconditional = RuntimeGenerator.Generate(model, Ddim(3));
        Assert.Equal(3 * 16 * 16, labelled.Data.Length);
        Assert.Equal(4, labelled.ModelEvaluations);
        Assert.All(labelled.Data, v => Assert.True(float.IsFinite(v)));
        Assert.All(unconditional.Data, v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(labelled.Data, unconditional.Data); // the label reaches the output through the runtime
    }

    [Theory]
    [InlineData("mnist-unet", 1, 28)]
    [InlineData("mlp-concat", 2, 1)]
    public void AnUnconditionalNetworkLoadsAndGeneratesWithDdim(string name, int channels, int size)
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        using (var generator = new Diffusion.Torch.Generator(22))
        using (var network = TestNetworks.Create(name, generator))
        {
            OnnxExporter.Export(network, TestNetworks.Ddpm, path);
        }

        using var model = OnnxDiffusionModel.Load(path, Cpu);
        Assert.Equal(new SampleShape(channels, size, size), model.SampleShape);
        Assert.Null(model.ClassLabelsInput);
        var samples = RuntimeGenerator.Generate(model, Ddim(2));
        Assert.Equal(2 * channels * size * size, samples.Data.Length);
        Assert.All(samples.Data, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(samples.Data, v => v != 0);
    }
}
