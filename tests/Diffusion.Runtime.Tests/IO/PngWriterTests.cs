using Diffusion.Runtime.IO;
using Diffusion.Runtime.Imaging;

namespace Diffusion.Runtime.Tests.IO;

public class PngWriterTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 4)]
    [InlineData(3, 2)]
    [InlineData(4, 6)]
    public void EncodedFileDecodesToTheSamePixelsWithValidChunks(int channels, byte colorType)
    {
        using var folder = new TempFolder();
        string path = folder.File("picture.png");
        const int width = 37, height = 23;
        var pixels = new byte[width * height * channels];
        new Random(channels).NextBytes(pixels);

        PngWriter.Write(path, width, height, channels, pixels);
        PngDecoder.Png png = PngDecoder.Decode(path);

        Assert.Equal(["IHDR", "IDAT", "IEND"], png.ChunkTypes);
        Assert.Equal(width, png.Width);
        Assert.Equal(height, png.Height);
        Assert.Equal(8, png.BitDepth);
        Assert.Equal(colorType, png.ColorType);
        Assert.Equal(0, png.Compression);
        Assert.Equal(0, png.Filter);
        Assert.Equal(0, png.Interlace);
        Assert.Equal(pixels, png.Pixels);
        Assert.Equal(["picture.png"], folder.Entries());
    }

    [Fact]
    public void GrayPixelsLandAtTheirRowAndColumn()
    {
        byte[] pixels = [0, 10, 20, 30, 40, 50]; // 3 wide, 2 high
        var stream = new MemoryStream();

        PngWriter.Encode(stream, 3, 2, 1, pixels);
        PngDecoder.Png png = PngDecoder.Decode(stream.ToArray());

        Assert.Equal(20, png.At(2, 0, 0));
        Assert.Equal(30, png.At(0, 1, 0));
        Assert.Equal(50, png.At(2, 1, 0));
    }

    [Fact]
    public void RasterImageSavesAsPng()
    {
        using var folder = new TempFolder();
        string path = folder.File("rgb.png");
        var image = new RasterImage(2, 1, 3, [255, 0, 0, 0, 0, 255]);

        image.SavePng(path);
        PngDecoder.Png png = PngDecoder.Decode(path);

        Assert.Equal((255, 0, 0), (png.At(0, 0, 0), png.At(0, 0, 1), png.At(0, 0, 2)));
        Assert.Equal((0, 0, 255), (png.At(1, 0, 0), png.At(1, 0, 1), png.At(1, 0, 2)));
    }

    [Fact]
    public void BufferOfTheWrongLengthIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => PngWriter.Encode(new MemoryStream(), 4, 4, 3, new byte[47]));

        Assert.Contains("48 bytes", error.Message);
    }

    [Theory]
    [InlineData(0, 4, 1)]
    [InlineData(4, 0, 1)]
    [InlineData(4, 4, 5)]
    public void OutOfRangeSizesAreRejected(int width, int height, int channels)
    {
        Assert.ThrowsAny<ArgumentException>(() => PngWriter.Encode(new MemoryStream(), width, height, channels, new byte[Math.Max(0, width * height * channels)]));
    }
}
