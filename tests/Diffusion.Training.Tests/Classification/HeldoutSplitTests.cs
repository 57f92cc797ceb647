using Diffusion.Runtime;
using Diffusion.Training.Classification;
using Diffusion.Training.Data;

namespace Diffusion.Training.Tests.Classification;

public class HeldoutSplitTests
{
    private static Dataset Numbered(int count) => new("numbered", [.. Enumerable.Range(0, count * 2).Select(i => (float)i)], [count, 2, 1, 1],
        new DataRange(0, 2 * count), [.. Enumerable.Range(0, count).Select(i => i % 3)], 3);

    [Fact]
    public void EveryKthImageIsHeldOutWithItsLabelAndTheRestAreTrainedOn()
    {
        var (train, heldout) = HeldoutSplit.EveryKth(Numbered(12), 5);
        Assert.NotNull(heldout);
        Assert.Equal([0f, 1, 10, 11, 20, 21], heldout.Data);       // images 0, 5, 10
        Assert.Equal([0, 2, 1], heldout.Labels!);
        Assert.Equal(9, train.Count);
        Assert.Equal([1, 2, 3, 4, 6, 7, 8, 9, 11], train.Data.Where((_, i) => i % 2 == 0).Select(v => (int)v / 2));
        Assert.Equal([1, 2, 0, 1, 0, 1, 2, 0, 2], train.Labels!);
        Assert.Equal((3, new DataRange(0, 24)), (train.ClassCount, train.Range));
    }

    [Fact]
    public void ZeroHoldsOutNothing()
    {
        var data = Numbered(4);
        var (train, heldout) = HeldoutSplit.EveryKth(data, 0);
        Assert.Same(data, train);
        Assert.Null(heldout);
    }

    [Fact]
    public void ASplitThatLeavesNothingToTrainOnIsRefused()
    {
        var error = Assert.ThrowsAny<DiffusionException>(() => HeldoutSplit.EveryKth(Numbered(1), 5));
        Assert.Contains("none to train on", error.Message);
    }
}
