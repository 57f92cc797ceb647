using Diffusion.Torch;
using Diffusion.Training.Classification;

namespace Diffusion.Training.Tests.Classification;

public class ShiftAugmentationTests
{
    [Fact]
    public void AShiftMovesEveryPixelByTheOffsetAndFillsWhatIsUncovered()
    {
        // Two images [2 channels, 3 rows, 4 columns] whose pixel values are their own flat index.
        const int c = 2, h = 3, w = 4;
        float[] source = [.. Enumerable.Range(0, 2 * c * h * w).Select(i => (float)i)];
        var destination = new float[source.Length];
        long[] shifts = [1, -2, 0, 0]; // image 0: down 1, left 2; image 1: unchanged
        ShiftAugmentation.Apply(source, destination, c, h, w, shifts, fill: -7);

        for (int ch = 0; ch < c; ch++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int sy = y - 1, sx = x + 2;
                    bool inside = sy >= 0 && sx < w;
                    float expected = inside ? source[ch * h * w + sy * w + sx] : -7;
                    Assert.Equal(expected, destination[ch * h * w + y * w + x]);
                }
            }
        }
        Assert.Equal(source[(c * h * w)..], destination[(c * h * w)..]);
    }

    [Fact]
    public void DrawsCoverTheWholeRangeAndRepeatUnderTheSameSeed()
    {
        long[] Draw(ulong seed)
        {
            using var generator = new Generator(seed);
            return ShiftAugmentation.Draw(500, 2, generator);
        }
        var first = Draw(3);
        Assert.Equal(1000, first.Length);
        Assert.Equal([-2L, -1, 0, 1, 2], first.Distinct().Order());
        Assert.Equal(first, Draw(3));
        Assert.NotEqual(first, Draw(4));
    }
}
