using Diffusion.Training.Data.Mnist;

namespace Diffusion.Training.Data.Tests.Mnist;

public class ImageResizeTests
{
    [Fact]
    public void Bilinear_upsampling_aligns_pixel_centres()
    {
        float[] result = ImageResize.Apply([0, 1, 2, 3], size: 2, newSize: 4, ImageFit.Bilinear, background: 0);

        Assert.Equal([0f, 0.25f, 0.75f, 1f], result[..4]);
        Assert.Equal([2f, 2.25f, 2.75f, 3f], result[12..]);
    }

    [Fact]
    public void Bilinear_halving_averages_each_2_by_2_block()
    {
        float[] image = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30];

        float[] result = ImageResize.Apply(image, size: 4, newSize: 2, ImageFit.Bilinear, background: 0);

        Assert.Equal([5f, 9f, 21f, 25f], result);
    }

    [Fact]
    public void Nearest_downsampling_keeps_every_other_pixel()
    {
        float[] image = [.. Enumerable.Range(0, 16).Select(i => (float)i)];

        float[] result = ImageResize.Apply(image, size: 4, newSize: 2, ImageFit.Nearest, background: 0);

        Assert.Equal([0f, 2f, 8f, 10f], result);
    }

    [Fact]
    public void Padding_by_an_odd_margin_puts_the_extra_row_and_column_last()
    {
        float[] result = ImageResize.Apply([5], size: 1, newSize: 2, ImageFit.Pad, background: -1);

        Assert.Equal([5f, -1f, -1f, -1f], result);
    }

    [Fact]
    public void Each_image_of_a_stack_is_resized_on_its_own()
    {
        float[] result = ImageResize.Apply([1, 1, 1, 1, 7, 7, 7, 7], size: 2, newSize: 3, ImageFit.Bilinear, background: 0);

        Assert.All(result[..9], v => Assert.Equal(1f, v, 6));
        Assert.All(result[9..], v => Assert.Equal(7f, v, 6));
    }
}
