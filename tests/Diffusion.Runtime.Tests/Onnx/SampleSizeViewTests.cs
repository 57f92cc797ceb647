using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// <see cref="OnnxDiffusionModel.WithSampleSize"/>: a fully convolutional model at another size, on the same
/// session, generating exactly what the model loaded at that size generates, and owning nothing.
/// </summary>
public sealed class SampleSizeViewTests : IDisposable
{
    private static readonly ModelLoadOptions Cpu = new() { Device = "cpu", Threads = 1 };
    private static readonly GenerationOptions Options = new() { Sampler = "ddim", Steps = 6, Count = 3, Seed = 11 };
    private readonly TempFolder _folder = new();
    private readonly string _path;

    public SampleSizeViewTests() => _path = DynamicSizeModel.Save(_folder.File("dynamic.onnx"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AViewGeneratesWhatTheModelLoadedAtThatSizeGenerates()
    {
        using var model = OnnxDiffusionModel.Load(_path, Cpu);
        using var loaded = OnnxDiffusionModel.Load(_path, Cpu with { Height = 12, Width = 20 });
        var view = model.WithSampleSize(12, 20);

        var fromView = Generator.Generate(view, Options);
        var fromLoaded = Generator.Generate(loaded, Options);

        Assert.Equal(new SampleShape(1, 8, 8), model.SampleShape);
        Assert.Equal(new SampleShape(1, 12, 20), view.SampleShape);
        Assert.Equal(4, view.SizeMultiple);
        Assert.Equal([3, 1, 12, 20], fromView.TensorShape);
        Assert.Equal(fromLoaded.Data, fromView.Data);
        Assert.Contains(fromView.Data, v => v != 0);
    }

    [Fact]
    public void DisposingAViewLeavesTheModelAndDisposingTheModelStopsItsViews()
    {
        var model = OnnxDiffusionModel.Load(_path, Cpu);
        var first = model.WithSampleSize(4, 16);
        first.Dispose();
        Assert.Equal([3, 1, 4, 16], Generator.Generate(first, Options).TensorShape);
        Assert.Equal([3, 1, 8, 8], Generator.Generate(model, Options).TensorShape);

        var second = model.WithSampleSize(16, 4);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Generator.Generate(second, Options));
        Assert.Throws<ObjectDisposedException>(() => model.WithSampleSize(16, 16));
    }

    [Fact]
    public void ASizeTheNetworkCannotTakeIsAnErrorNamingTheParameterAndTheNearestSizes()
    {
        using var model = OnnxDiffusionModel.Load(_path, Cpu);

        var offMultiple = Assert.Throws<DiffusionRequestException>(() => model.WithSampleSize(10, 8));
        var zero = Assert.Throws<DiffusionRequestException>(() => model.WithSampleSize(8, 0));

        Assert.Equal("height", offMultiple.Member);
        Assert.Contains("height 10 is not a multiple of 4", offMultiple.Message);
        Assert.Contains("use 8 or 12", offMultiple.Message);
        Assert.Equal("width", zero.Member);
        Assert.Contains("width must be at least 1, got 0", zero.Message);
    }

    [Fact]
    public void AModelOfOneSizeRefusesAnotherAndSaysWhy()
    {
        using var model = OnnxDiffusionModel.Load(OnnxMixtures.Cases[0].Save(_folder.File("fixed.onnx")), Cpu);
        var own = model.SampleShape;

        var e = Assert.Throws<DiffusionRequestException>(() => model.WithSampleSize(own.Height, own.Width + 1));

        Assert.Null(model.SizeMultiple);
        Assert.Equal("width", e.Member);
        Assert.Contains("fixed height and width", e.Message);
        Assert.Contains("leave height and width unset", e.Message);
        Assert.Equal(own, model.WithSampleSize(own.Height, own.Width).SampleShape);
    }
}
