namespace Diffusion.Torch.Tests;

public class ErrorHandlingTests
{
    [Fact]
    public void ShapeMismatchInMatmulSurfacesLibtorchsMessageRepeatedly()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(2, 3);
        var b = torch.zeros(4, 5);
        for (int i = 0; i < 100; i++)
        {
            var error = Assert.Throws<TorchException>(() => a.matmul(b));
            Assert.Contains("cannot be multiplied", error.Message);
            Assert.DoesNotContain("frame #", error.Message); // libtorch's C++ backtrace is left out
            // A later success is a success: no stale error state.
            Assert.Equal([2L, 3L], a.matmul(torch.zeros(3, 3)).shape);
        }
    }

    [Fact]
    public void DifferentFailuresReportTheirOwnMessages()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(2, 3);
        var reshape = Assert.Throws<TorchException>(() => x.reshape(4, 4));
        Assert.Contains("invalid for input of size 6", reshape.Message);
        var cat = Assert.Throws<TorchException>(() => torch.cat([x, torch.zeros(3, 2)], 0));
        Assert.Contains("Sizes of tensors must match", cat.Message);
        var dropout = Assert.Throws<TorchException>(() => torch.nn.functional.dropout(x, 1.5));
        Assert.Equal("dropout probability must be in [0, 1], got 1.500000", dropout.Message);
    }

    [Fact]
    public void BackwardOnANonScalarWithoutGradientIsAnError()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(3).requires_grad_();
        var error = Assert.Throws<TorchException>(() => (x * 2).backward());
        Assert.Contains("grad can be implicitly created only for scalar outputs", error.Message);
    }

    [Fact]
    public void ErrorsOnOtherThreadsDoNotLeakIntoThisOne()
    {
        using var scope = torch.NewDisposeScope();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            using var inner = torch.NewDisposeScope();
            var a = torch.zeros(2, 3);
            for (int i = 0; i < 50; i++) Assert.Throws<TorchException>(() => a.matmul(a));
        })).ToList();
        threads.ForEach(t => t.Start());
        var x = torch.ones(3, 3);
        for (int i = 0; i < 200; i++) Assert.Equal(9f, x.matmul(x).sum().item<float>() / 3);
        threads.ForEach(t => t.Join());
    }

    [Fact]
    public void UsingADisposedTensorIsAClearManagedError()
    {
        var x = torch.zeros(2);
        x.Dispose();
        x.Dispose(); // idempotent
        var error = Assert.Throws<ObjectDisposedException>(() => x + 1);
        Assert.Contains("was disposed", error.Message);
        Assert.Equal("Tensor(disposed)", x.ToString());
    }

    [Fact]
    public void UnsupportedElementTypeIsNamed()
    {
        var error = Assert.Throws<NotSupportedException>(() => torch.FromData<short>(new short[] { 1 }, [1]));
        Assert.Contains("Int16", error.Message);
    }
}
