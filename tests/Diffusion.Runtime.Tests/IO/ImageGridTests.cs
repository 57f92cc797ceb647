using Diffusion.Runtime.IO;
using Diffusion.Runtime.Imaging;

namespace Diffusion.Runtime.Tests.IO;

public class ImageGridTests
{
    private static readonly ImageGridOptions UnitRange = new() { Min = 0f, Max = 255f, Padding = 1, Background = 7 };

    [Fact]
    public void TilesAreLaidOutRowByRowWithPaddingBetweenThem()
    {
        // Five 2x3 gray images, each a constant value; ceil(sqrt(5)) = 3 columns, 2 rows.
        const int n = 5, h = 2, w = 3;
        float[] data = [.. Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat(100f + i, h * w))];

        RasterImage grid = ImageGrid.Render(data, [n, 1, h, w], UnitRange);

        Assert.Equal(3 * w + 2, grid.Width);
        Assert.Equal(2 * h + 1, grid.Height);
        Assert.Equal(1, grid.Channels);
        for (int i = 0; i < n; i++)
        {
            int left = i % 3 * (w + 1), top = i / 3 * (h + 1);
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    Assert.Equal(100 + i, grid[left + x, top + y, 0]);
                }
            }
        }

        Assert.Equal(7, grid[w, 0, 0]);          // padding column
        Assert.Equal(7, grid[0, h, 0]);          // padding row
        Assert.Equal(7, grid[2 * (w + 1), h + 1, 0]); // empty sixth cell
        Assert.Equal(7, grid[grid.Width - 1, grid.Height - 1, 0]);
    }

    [Fact]
    public void PixelsKeepTheirRowAndColumnInsideATile()
    {
        const int h = 3, w = 4;
        float[] data = [.. Enumerable.Range(0, h * w).Select(i => (float)i)];

        RasterImage grid = ImageGrid.Render(data, [1, 1, h, w], UnitRange);

        Assert.Equal((w, h), (grid.Width, grid.Height));
        Assert.Equal(data.Select(v => (byte)v), grid.Pixels);
        Assert.Equal(1 * w + 2, grid[2, 1, 0]);
    }

    [Fact]
    public void RgbChannelsAreInterleavedFromPlanes()
    {
        // One 1x2 RGB image: planes R = [10, 11], G = [20, 21], B = [30, 31].
        float[] data = [10, 11, 20, 21, 30, 31];

        RasterImage grid = ImageGrid.Render(data, [1, 3, 1, 2], UnitRange);

        Assert.Equal(3, grid.Channels);
        Assert.Equal(new byte[] { 10, 20, 30, 11, 21, 31 }, grid.Pixels);
    }

    [Theory]
    [InlineData(-1f, 0)]
    [InlineData(1f, 255)]
    [InlineData(0f, 128)]
    [InlineData(-0.5f, 64)]
    [InlineData(-7f, 0)]
    [InlineData(3f, 255)]
    [InlineData(float.NaN, 0)]
    [InlineData(float.PositiveInfinity, 255)]
    [InlineData(float.NegativeInfinity, 0)]
    public void DefaultRangeMinusOneToOneMapsToBytesWithClamping(float value, byte expected)
    {
        RasterImage grid = ImageGrid.Render([value], [1, 1, 1, 1]);

        Assert.Equal(expected, grid.Pixels[0]);
    }

    [Fact]
    public void CustomRangeMapsItsEndsToBlackAndWhite()
    {
        var options = new ImageGridOptions { Min = 2f, Max = 4f };

        RasterImage grid = ImageGrid.Render([2f, 3f, 4f, 5f], [1, 1, 1, 4], options);

        Assert.Equal(new byte[] { 0, 128, 255, 255 }, grid.Pixels);
    }

    [Fact]
    public void ScaleRepeatsEachPixelAsABlock()
    {
        var random = new Random(5);
        float[] data = [.. Enumerable.Range(0, 28 * 28).Select(_ => (float)random.Next(256))];

        RasterImage grid = ImageGrid.Render(data, [1, 1, 28, 28], UnitRange with { Scale = 2 });

        Assert.Equal((56, 56), (grid.Width, grid.Height));
        for (int y = 0; y < 56; y++)
        {
            for (int x = 0; x < 56; x++)
            {
                Assert.Equal((byte)data[y / 2 * 28 + x / 2], grid[x, y, 0]);
            }
        }
    }

    [Fact]
    public void ScaleDoesNotWidenThePadding()
    {
        RasterImage grid = ImageGrid.Render([0f, 255f], [2, 1, 1, 1], UnitRange with { Scale = 3, Padding = 2 });

        Assert.Equal((3 + 2 + 3, 3), (grid.Width, grid.Height));
        Assert.Equal(0, grid[2, 2, 0]);
        Assert.Equal(7, grid[3, 0, 0]);
        Assert.Equal(7, grid[4, 0, 0]);
        Assert.Equal(255, grid[5, 0, 0]);
    }

    [Fact]
    public void ColumnsChoosesTheLayoutAndIsCappedAtTheBatchSize()
    {
        float[] data = [1f, 2f, 3f];

        RasterImage column = ImageGrid.Render(data, [3, 1, 1, 1], UnitRange with { Columns = 1, Padding = 0 });
        RasterImage row = ImageGrid.Render(data, [3, 1, 1, 1], UnitRange with { Columns = 10, Padding = 0 });

        Assert.Equal((1, 3), (column.Width, column.Height));
        Assert.Equal((3, 1), (row.Width, row.Height));
        Assert.Equal(new byte[] { 1, 2, 3 }, column.Pixels);
        Assert.Equal(new byte[] { 1, 2, 3 }, row.Pixels);
    }

    [Fact]
    public void WritePngSavesTheRenderedGrid()
    {
        using var folder = new TempFolder();
        string path = folder.File("grid.png");
        float[] data = [.. Enumerable.Range(0, 4 * 3 * 5 * 6).Select(i => (float)(i % 256))];
        var options = UnitRange with { Scale = 2 };

        ImageGrid.WritePng(path, data, [4, 3, 5, 6], options);
        PngDecoder.Png png = PngDecoder.Decode(path);

        RasterImage expected = ImageGrid.Render(data, [4, 3, 5, 6], options);
        Assert.Equal((expected.Width, expected.Height, 2), (png.Width, png.Height, (int)png.ColorType));
        Assert.Equal(expected.Pixels, png.Pixels);
    }

    [Theory]
    [InlineData(new[] { 1, 2, 2, 2 }, 8, "1 (gray) or 3 (RGB)")]
    [InlineData(new[] { 2, 2, 2 }, 8, "[N, C, H, W]")]
    [InlineData(new[] { 2, 1, 2, 2 }, 7, "holds 8 values but the data has 7")]
    [InlineData(new[] { 0, 1, 2, 2 }, 0, "no pixels")]
    public void BadShapesAreRejectedWithTheReason(int[] shape, int length, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Render(new float[length], shape));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheReason()
    {
        float[] data = [0f];
        int[] shape = [1, 1, 1, 1];

        Assert.Contains("Min < Max", Assert.Throws<ArgumentException>(() => ImageGrid.Render(data, shape, new() { Min = 1, Max = 1 })).Message);
        Assert.Contains("Scale", Assert.Throws<ArgumentException>(() => ImageGrid.Render(data, shape, new() { Scale = 0 })).Message);
        Assert.Contains("Columns", Assert.Throws<ArgumentException>(() => ImageGrid.Render(data, shape, new() { Columns = 0 })).Message);
        Assert.Contains("Padding", Assert.Throws<ArgumentException>(() => ImageGrid.Render(data, shape, new() { Padding = -1 })).Message);
    }
}
