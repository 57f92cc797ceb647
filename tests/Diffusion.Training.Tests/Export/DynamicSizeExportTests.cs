using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Diffusion.Training.Tests.Export.Support;
using Xunit.Abstractions;
using Generator = Diffusion.Torch.Generator;

namespace Diffusion.Training.Tests.Export;

/// <summary>
/// UNets are fully convolutional, so they export with a dynamic height and width (multiples of 2 to the
/// number of downsamplings) and the runtime samples other sizes with <see cref="ModelLoadOptions.Height"/>
/// and <see cref="ModelLoadOptions.Width"/>; an MLP keeps its fixed shape.
/// </summary>
public class DynamicSizeExportTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("tiny-unet", 2, 12, 20)]  // trained at 16x16, one downsampling
    [InlineData("mnist-unet", 4, 32, 20)] // trained at 28x28, two
    [InlineData("rgb-unet", 4, 12, 16)]   // trained at 8x8, two
    public void AUNetRunsAtAnotherSizeAsLibtorchDoes(string name, int multiple, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(3);
        using var network = TestNetworks.Create(name, generator);
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        OnnxExporter.Export(network, TestNetworks.Ddpm, path);

        using var model = new OrtModel(path);
        var input = model.Session.InputMetadata["sample"];
        Assert.Equal(["batch", "", "height", "width"], input.SymbolicDimensions);
        Assert.Equal([-1, -1, -1], new[] { input.Dimensions[0], input.Dimensions[2], input.Dimensions[3] });
        Assert.Equal(multiple.ToString(System.Globalization.CultureInfo.InvariantCulture),
            model.Session.ModelMetadata.CustomMetadataMap[OnnxDiffusionModel.SampleSizeMultipleMetadataKey]);

        var (shape, classes) = TestNetworks.Signature(network);
        long[] sampleShape = [2, shape[0], height, width];
        var sample = torch.randn(sampleShape, generator);
        var timestep = torch.tensor([17f, 640f]);
        var labels = classes == 0 ? null : torch.tensor([1L, classes]);
        var expected = TestNetworks.Forward(network, sample, timestep, labels).ToArray<float>();
        var actual = model.Run(sample.ToArray<float>(), sampleShape, timestep.ToArray<float>(), labels?.ToArray<long>());

        double maxAbs = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        output.WriteLine($"{name} at {height}x{width}: max |onnx - torch| = {maxAbs:E2}");
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(maxAbs <= 1e-4, $"{name} at {height}x{width}: ONNX Runtime differs from libtorch by {maxAbs:E3}");
    }

    [Fact]
    public void TheRuntimeGeneratesTheTrainedSizeByDefaultAndAnotherWhenAsked()
    {
        using var folder = new TempFolder();
        var path = ExportTinyUNet(folder);

        using (var trained = OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu" }))
            Assert.Equal(new SampleShape(1, 16, 16), trained.SampleShape);

        using var resized = OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Height = 24, Width = 8 });
        Assert.Equal(new SampleShape(1, 24, 8), resized.SampleShape);
        var samples = Runtime.Generation.Generator.Generate(resized, new GenerationOptions { Sampler = "ddim", Steps = 3, Count = 2, ClassLabels = [4, 5] });
        Assert.Equal(2 * 24 * 8, samples.Data.Length);
        Assert.All(samples.Data.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void ASizeThatIsNotAMultipleIsRefusedWithTheNearestGoodOnes()
    {
        using var folder = new TempFolder();
        var path = ExportTinyUNet(folder);
        var e = Assert.Throws<DiffusionRequestException>(() => OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Height = 16, Width = 13 }));
        Assert.Equal("ModelLoadOptions.Width", e.Member);
        Assert.Contains("not a multiple of 2", e.Message);
        Assert.Contains("use 12 or 14", e.Message);
    }

    [Fact]
    public void ASizeBeyondTheValueLimitIsRefusedBeforeAnythingIsAllocatedAndTheLimitCanBeRaised()
    {
        using var folder = new TempFolder();
        var path = ExportTinyUNet(folder);
        var e = Assert.Throws<DiffusionRequestException>(() => OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Height = 4100, Width = 4100 }));
        Assert.Contains("ModelLoadOptions.MaxSampleValues", e.Message);
        using var raised = OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Height = 4100, Width = 4100, MaxSampleValues = 1 << 25 });
        Assert.Equal(new SampleShape(1, 4100, 4100), raised.SampleShape);
    }

    [Fact]
    public void AnMlpKeepsItsFixedShapeAndSaysSoWhenAskedForAnother()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(3);
        using var network = TestNetworks.Create("mlp-add", generator);
        using var folder = new TempFolder();
        var path = folder.File("mlp.onnx");
        OnnxExporter.Export(network, TestNetworks.Ddpm, path);

        using (var model = new OrtModel(path))
        {
            Assert.Equal([-1, 2, 1, 1], model.Session.InputMetadata["sample"].Dimensions);
            Assert.False(model.Session.ModelMetadata.CustomMetadataMap.ContainsKey(OnnxDiffusionModel.SampleSizeMultipleMetadataKey));
        }
        var e = Assert.Throws<DiffusionRequestException>(() => OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Height = 2 }));
        Assert.Equal("ModelLoadOptions.Height", e.Member);
        Assert.Contains("fixed height and width", e.Message);
    }

    private static string ExportTinyUNet(TempFolder folder)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(5);
        using var network = (UNet)TestNetworks.Create("tiny-unet", generator);
        var path = folder.File("unet.onnx");
        OnnxExporter.Export(network, TestNetworks.Ddpm, path);
        return path;
    }
}
