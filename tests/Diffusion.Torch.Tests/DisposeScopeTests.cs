namespace Diffusion.Torch.Tests;

// Counts native handles process-wide: run alone, not in parallel with other test classes.
[CollectionDefinition(nameof(LiveTensorCounting), DisableParallelization = true)]
public class LiveTensorCounting { }

[Collection(nameof(LiveTensorCounting))]
public class DisposeScopeTests
{
    [Fact]
    public void ScopeDisposesEverythingCreatedInsideIt()
    {
        long before = torch.LiveTensorCount;
        Tensor inside;
        using (var scope = torch.NewDisposeScope())
        {
            inside = (torch.ones(3) * 2 + 1).exp();
            Assert.Equal(4, scope.Count);
            Assert.Equal(before + 4, torch.LiveTensorCount);
        }
        Assert.True(inside.IsDisposed);
        Assert.Equal(before, torch.LiveTensorCount);
    }

    [Fact]
    public void MovedTensorsSurviveTheirScopeAndJoinTheOuterOne()
    {
        long before = torch.LiveTensorCount;
        Tensor kept;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                var temp = torch.ones(2);
                kept = (temp + 1).MoveToOuterDisposeScope();
                Assert.Equal(1, inner.Count);
            }
            Assert.False(kept.IsDisposed);
            Assert.Equal([2f, 2f], kept.ToArray<float>());
            Assert.Equal(1, outer.Count);
        }
        Assert.True(kept.IsDisposed);

        Tensor detached;
        using (torch.NewDisposeScope()) detached = torch.zeros(1).DetachFromDisposeScope();
        Assert.False(detached.IsDisposed);
        detached.Dispose();
        Assert.Equal(before, torch.LiveTensorCount);
    }

    [Fact]
    public void ScopesMustEndInReverseOrder()
    {
        var outer = torch.NewDisposeScope();
        var inner = torch.NewDisposeScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose(); // now in order: succeeds, and no scope stays active on this thread
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverManyTrainingSteps()
    {
        using var g = new Generator(0);
        using var first = new Modules.Linear(16, 32, generator: g);
        using var second = new Modules.Linear(32, 16, generator: g);
        var parameters = first.parameters().Concat(second.parameters()).ToList();
        using var adam = new Optim.Adam(parameters, lr: 1e-3);
        long afterWarmup = 0;
        for (int step = 0; step < 2000; step++)
        {
            using (var scope = torch.NewDisposeScope())
            {
                adam.zero_grad();
                var x = torch.randn([8, 16], g);
                var loss = torch.nn.functional.mse_loss(second.forward(first.forward(x).silu()), x);
                loss.backward();
                torch.nn.utils.clip_grad_norm_(parameters, 1.0);
                adam.step();
            }
            if (step == 0) afterWarmup = torch.LiveTensorCount; // Adam's moment tensors now exist
        }
        Assert.Equal(afterWarmup, torch.LiveTensorCount);
    }

    [Fact]
    public void AnUndisposedTensorIsCountedAsLeakedNotFreedByTheFinalizer()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers(); // settle garbage left by earlier tests
        long leakedBefore = torch.LeakedTensorCount;
        long liveBefore = torch.LiveTensorCount;
        Abandon();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(leakedBefore + 1, torch.LeakedTensorCount);
        Assert.Equal(liveBefore + 1, torch.LiveTensorCount); // the native tensor was not released on the finalizer thread

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static void Abandon() => _ = torch.zeros(1);
    }
}
