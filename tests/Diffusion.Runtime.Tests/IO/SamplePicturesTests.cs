using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Imaging;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.IO;

/// <summary>Generated samples to PNG in a stream, with the settings that made them in tEXt chunks.</summary>
public class SamplePicturesTests
{
    [Fact]
    public void AGridGoesIntoAStreamWithItsSettingsInTextChunks()
    {
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["discrete"]);
        var options = new GenerationOptions { Sampler = "heun", Steps = 7, Count = 5, Seed = 42 };
        var samples = Generator.Generate(model, options);
        var stream = new MemoryStream();

        SamplePictures.WritePng(stream, samples, model.Config, SamplePictures.Describe("mixture.onnx", samples));

        var png = PngDecoder.Decode(stream.ToArray());
        Assert.Equal(["IHDR", "tEXt", "tEXt", "tEXt", "tEXt", "tEXt", "tEXt", "IDAT", "IEND"], png.ChunkTypes);
        Assert.Equal("mixture.onnx", png.Text["Model"]);
        Assert.Equal("heun", png.Text["Sampler"]);
        Assert.Equal("7", png.Text["Steps"]);
        Assert.Equal("42", png.Text["Seed"]);
        Assert.Equal("5", png.Text["Count"]);
        Assert.Equal("Diffusion.Runtime", png.Text["Software"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" Model")]
    [InlineData("a\0b")]
    public void AKeywordPngCannotHoldIsRefused(string keyword)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            PngWriter.Encode(new MemoryStream(), 1, 1, 1, [0], new Dictionary<string, string> { [keyword] = "x" }));
        Assert.Contains("PNG text keyword", e.Message);
    }

    [Fact]
    public void OneImageSampleRendersAlone()
    {
        var samples = new GeneratedSamples(new float[3 * 4 * 4], 3, new SampleShape(1, 4, 4), 1);
        var config = Runtime.Models.SchedulerConfig.Parse("""{ "num_train_timesteps": 10 }""", "test");
        var one = SamplePictures.RenderOne(samples, 2, config);
        Assert.Equal((64, 64, 1), (one.Width, one.Height, one.Channels)); // 4x4 scaled up by 16
    }
}
