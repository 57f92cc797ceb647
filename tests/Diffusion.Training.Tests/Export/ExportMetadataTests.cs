using Diffusion.Runtime;
using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Diffusion.Training.Tests.Export.Support;

namespace Diffusion.Training.Tests.Export;

public class ExportMetadataTests
{
    /// <summary>Exports <paramref name="name"/> and returns the returned config and the metadata as ONNX Runtime reads it.</summary>
    private static (SchedulerConfig Returned, Dictionary<string, string> Metadata, Diffusion.Torch.Modules.Module Network) Export(string name, SchedulerConfig config)
    {
        using var generator = new Generator(11);
        var network = TestNetworks.Create(name, generator);
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        var returned = OnnxExporter.Export(network, config, path);
        using var model = new OrtModel(path);
        return (returned, new Dictionary<string, string>(model.Session.ModelMetadata.CustomMetadataMap), network);
    }

    [Fact]
    public void TheSchedulerConfigRoundTripsThroughParseWithTheNetworksShapeAndClassesFilledIn()
    {
        var (returned, metadata, network) = Export("tiny-unet", TestNetworks.Ddpm);
        using var _ = network;
        var parsed = SchedulerConfig.Parse(metadata[SchedulerConfig.MetadataKey], "the exported model");
        Assert.Equal(returned, parsed);
        Assert.Equal(TestNetworks.Ddpm with { InChannels = 1, SampleSize = 16, NumClasses = 10, NullClassLabel = 10 }, parsed);
        Assert.Equal((0.0, 1.0), (parsed.DataMin, parsed.DataMax));
    }

    [Fact]
    public void AnMlpIsDescribedAsUnconditionalSamplesOfShapeDByOneByOne()
    {
        var config = TestNetworks.Ddpm with { DataMin = -4, DataMax = 4, ClipSample = false, PredictionType = Diffusion.Runtime.Denoising.PredictionType.Sample };
        var (_, metadata, network) = Export("mlp-add", config);
        using var _ = network;
        var parsed = SchedulerConfig.Parse(metadata[SchedulerConfig.MetadataKey], "the exported model");
        Assert.Equal(config with { InChannels = 2, SampleSize = 1 }, parsed);
        Assert.Equal(0, parsed.NumClasses);
        Assert.Null(parsed.NullClassLabel);
    }

    [Theory]
    [InlineData("tiny-unet")]
    [InlineData("rgb-unet")]
    public void TheUNetConfigIsRecordedForProvenance(string name)
    {
        var (_, metadata, network) = Export(name, TestNetworks.Ddpm);
        using var _ = network;
        Assert.Equal("UNet", metadata[OnnxExporter.NetworkTypeKey]);
        Assert.Equal(((UNet)network).Config, UNetConfig.FromJson(metadata[OnnxExporter.NetworkConfigKey]));
    }

    [Theory]
    [InlineData("mlp-add")]
    [InlineData("mlp-concat")]
    public void TheMlpConfigIsRecordedForProvenance(string name)
    {
        var (_, metadata, network) = Export(name, TestNetworks.Ddpm);
        using var _ = network;
        Assert.Equal("MlpDenoiser", metadata[OnnxExporter.NetworkTypeKey]);
        Assert.Equal(((MlpDenoiser)network).Config, MlpDenoiserConfig.FromJson(metadata[OnnxExporter.NetworkConfigKey]));
    }

    public static TheoryData<string, SchedulerConfig, string> Disagreements => new()
    {
        { "tiny-unet", TestNetworks.Ddpm with { InChannels = 3 }, "in_channels 3" },
        { "tiny-unet", TestNetworks.Ddpm with { SampleSize = 32 }, "sample_size 32" },
        { "tiny-unet", TestNetworks.Ddpm with { NumClasses = 5 }, "num_classes 5" },
        { "tiny-unet", TestNetworks.Ddpm with { NullClassLabel = 0 }, "null_class_label 0" },
        { "mlp-add", TestNetworks.Ddpm with { NumClasses = 4 }, "num_classes 4" },
        { "mlp-add", TestNetworks.Ddpm with { NullClassLabel = 1 }, "null_class_label 1" },
    };

    [Theory]
    [MemberData(nameof(Disagreements))]
    public void AConfigThatDisagreesWithTheNetworkIsRefusedNamingTheKey(string name, SchedulerConfig config, string expected)
    {
        using var generator = new Generator(1);
        using var network = TestNetworks.Create(name, generator);
        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.ToModel(network, config));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AnInvalidSchedulerConfigIsRefusedBeforeExport()
    {
        using var generator = new Generator(1);
        using var network = TestNetworks.Create("mlp-add", generator);
        var error = Assert.ThrowsAny<DiffusionException>(() => OnnxExporter.ToModel(network, TestNetworks.Ddpm with { DataMin = 1, DataMax = 0 }));
        Assert.Contains("data_max", error.Message, StringComparison.Ordinal);
    }
}
