using Diffusion.Training.Data.Mnist;

namespace Diffusion.Training.Data.Tests.Mnist;

public class MnistDatasetTests(MnistFixture fixture) : IClassFixture<MnistFixture>
{
    private readonly Dataset digits = fixture.Digits;

    [Fact]
    public void It_holds_10000_single_channel_28_by_28_digits()
    {
        Assert.Equal([10_000, 1, 28, 28], digits.Shape);
        Assert.Equal("mnist", digits.Name);
    }

    [Fact]
    public void Every_digit_0_to_9_is_labelled_and_present()
    {
        Assert.Equal(10, digits.ClassCount);
        Assert.Equal(Enumerable.Range(0, 10), digits.Labels!.Distinct().Order());
        Assert.All(Enumerable.Range(0, 10), d => Assert.InRange(digits.Labels!.Count(l => l == d), 800, 1_200));
    }

    [Fact]
    public void Pixels_span_minus_one_to_one_with_a_background_of_minus_one()
    {
        Assert.Equal(DataRange.Symmetric, digits.Range);
        Assert.Equal(-1f, digits.Data.Min());
        Assert.Equal(1f, digits.Data.Max());
        double background = digits.Data.Count(v => v == -1f) / (double)digits.Data.Length;
        Assert.InRange(background, 0.7, 0.9);
    }

    [Fact]
    public void Padding_to_32_surrounds_each_digit_with_two_pixels_of_background()
    {
        Dataset padded = MnistDataset.Load(new MnistOptions { ImageSize = 32, Fit = ImageFit.Pad });

        Assert.Equal([10_000, 1, 32, 32], padded.Shape);
        foreach (int n in new[] { 0, 4_321, 9_999 })
        {
            ReadOnlySpan<float> image = padded.Sample(n);
            ReadOnlySpan<float> original = digits.Sample(n);
            for (int y = 0; y < 32; y++)
            {
                for (int x = 0; x < 32; x++)
                {
                    bool border = y < 2 || y >= 30 || x < 2 || x >= 30;
                    float expected = border ? -1f : original[(y - 2) * 28 + (x - 2)];
                    Assert.Equal(expected, image[y * 32 + x]);
                }
            }
        }
    }

    [Fact]
    public void Nearest_resizing_to_56_repeats_each_pixel_in_a_2_by_2_block()
    {
        Dataset large = MnistDataset.Load(new MnistOptions { ImageSize = 56, Fit = ImageFit.Nearest });

        ReadOnlySpan<float> image = large.Sample(17);
        ReadOnlySpan<float> original = digits.Sample(17);
        for (int y = 0; y < 56; y++)
        {
            for (int x = 0; x < 56; x++)
            {
                Assert.Equal(original[y / 2 * 28 + x / 2], image[y * 56 + x]);
            }
        }
    }

    [Fact]
    public void Bilinear_resizing_to_16_stays_in_range()
    {
        Dataset small = MnistDataset.Load(new MnistOptions { ImageSize = 16, Fit = ImageFit.Bilinear });

        Assert.Equal([10_000, 1, 16, 16], small.Shape);
        Assert.All(small.Data, v => Assert.InRange(v, -1f, 1f));
        Assert.Equal(digits.Labels, small.Labels);
    }

    [Fact]
    public void Padding_to_a_smaller_size_is_refused()
    {
        var error = Assert.Throws<DatasetException>(() => MnistDataset.Load(new MnistOptions { ImageSize = 16, Fit = ImageFit.Pad }));
        Assert.Contains("smaller than 28 x 28", error.Message);
    }
}
