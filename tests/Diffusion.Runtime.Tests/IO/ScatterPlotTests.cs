using Diffusion.Runtime.IO;
using Diffusion.Runtime.Imaging;

namespace Diffusion.Runtime.Tests.IO;

public class ScatterPlotTests
{
    private static readonly ScatterPlotOptions Small = new() { Width = 100, Height = 100, Min = -1f, Max = 1f };

    private static bool IsDark(RasterImage image, int x, int y) =>
        image[x, y, 0] < 128 && image[x, y, 1] < 128 && image[x, y, 2] < 128;

    private static List<(int X, int Y)> DarkPixels(RasterImage image)
    {
        var dark = new List<(int, int)>();
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (IsDark(image, x, y))
                {
                    dark.Add((x, y));
                }
            }
        }

        return dark;
    }

    [Fact]
    public void APointBecomesADotAtItsPlaceAndNowhereElse()
    {
        // x = 0.5 -> 75 px from the left; y = -0.5 -> 75 px from the top (y points up).
        RasterImage plot = ScatterPlot.Render([0.5f, -0.5f], [1, 2, 1, 1], Small);

        Assert.Equal(3, plot.Channels);
        Assert.Equal([(74, 74), (75, 74), (74, 75), (75, 75)], DarkPixels(plot));
    }

    [Fact]
    public void YPointsUp()
    {
        RasterImage plot = ScatterPlot.Render([-0.9f, 0.9f], [1, 2], Small);

        List<(int X, int Y)> dark = DarkPixels(plot);
        Assert.NotEmpty(dark);
        Assert.All(dark, p => Assert.True(p.X < 10 && p.Y < 10, $"dot pixel at {p}"));
    }

    [Fact]
    public void EveryPointInRangeGetsADot()
    {
        float[] points = [-0.5f, 0.5f, 0.5f, 0.5f, 0f, -0.8f];

        RasterImage plot = ScatterPlot.Render(points, [3, 2, 1, 1], Small);

        Assert.Equal(12, DarkPixels(plot).Count);
        Assert.True(IsDark(plot, 25, 25));
        Assert.True(IsDark(plot, 75, 25));
        Assert.True(IsDark(plot, 50, 90));
    }

    [Fact]
    public void PointsOutsideTheRangeOrNaNAreClipped()
    {
        float[] points = [1.5f, 0f, 0f, -3f, float.NaN, 0f, 0.2f, float.PositiveInfinity];

        RasterImage plot = ScatterPlot.Render(points, [4, 2, 1, 1], Small);

        Assert.Empty(DarkPixels(plot));
    }

    [Fact]
    public void ADotOnTheEdgeIsCutAtTheCanvas()
    {
        RasterImage plot = ScatterPlot.Render([1f, 1f], [1, 2], Small);

        Assert.Equal([(99, 0)], DarkPixels(plot));
    }

    [Fact]
    public void BackgroundIsWhiteWithALightFrameAndAxesThroughZero()
    {
        RasterImage plot = ScatterPlot.Render([], [0, 2, 1, 1], Small);

        Assert.Empty(DarkPixels(plot));
        Assert.Equal((255, 255, 255), (plot[20, 30, 0], plot[20, 30, 1], plot[20, 30, 2]));
        byte frame = plot[0, 30, 0];
        byte xAxis = plot[20, 50, 0];
        byte yAxis = plot[50, 30, 0];
        Assert.InRange(frame, 128, 254);
        Assert.InRange(xAxis, 128, 254);
        Assert.InRange(yAxis, 128, 254);
        Assert.Equal(255, plot[20, 49, 0]);
        Assert.Equal(255, plot[49, 30, 0]);
    }

    [Fact]
    public void AxesAreLeftOutWhenZeroIsOutsideTheRange()
    {
        RasterImage plot = ScatterPlot.Render([], [0, 2], Small with { Min = 1f, Max = 3f });

        for (int x = 1; x < 99; x++)
        {
            for (int y = 1; y < 99; y++)
            {
                Assert.Equal(255, plot[x, y, 0]);
            }
        }
    }

    [Fact]
    public void DotSizeSetsTheSideOfTheSquare()
    {
        RasterImage plot = ScatterPlot.Render([0.01f, 0.01f], [1, 2], Small with { DotSize = 3 });

        List<(int X, int Y)> dark = DarkPixels(plot);
        Assert.Equal(9, dark.Count);
        Assert.Equal((49, 48), (dark.Min(p => p.X), dark.Min(p => p.Y)));
    }

    [Fact]
    public void WritePngSavesA512SquareRgbPictureByDefault()
    {
        using var folder = new TempFolder();
        string path = folder.File("points.png");

        ScatterPlot.WritePng(path, [0f, 0f], [1, 2, 1, 1]);
        PngDecoder.Png png = PngDecoder.Decode(path);

        Assert.Equal((512, 512, 2), (png.Width, png.Height, (int)png.ColorType));
        Assert.True(png.At(255, 255, 0) < 128 && png.At(256, 256, 2) < 128);
        Assert.Equal(255, png.At(100, 100, 0));
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, 6)]
    [InlineData(new[] { 2 }, 2)]
    [InlineData(new[] { 2, 2, 2, 1 }, 8)]
    [InlineData(new[] { 2, 2 }, 5)]
    public void BadShapesAreRejected(int[] shape, int length)
    {
        var error = Assert.Throws<ArgumentException>(() => ScatterPlot.Render(new float[length], shape));

        Assert.Contains("Shape", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
