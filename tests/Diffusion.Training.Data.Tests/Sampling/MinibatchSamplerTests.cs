using Diffusion.Training.Data.Sampling;

namespace Diffusion.Training.Data.Tests.Sampling;

public class MinibatchSamplerTests
{
    [Theory]
    [InlineData(12, 4)]
    [InlineData(10, 3)]
    [InlineData(5, 11)]
    public void Every_epoch_visits_each_sample_exactly_once(int size, int batch)
    {
        var sampler = new MinibatchSampler(size, batch, seed: 7);
        var stream = new List<int>();
        while (stream.Count < 3 * size)
        {
            stream.AddRange(sampler.Next());
        }

        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.Equal(Enumerable.Range(0, size), stream.Skip(epoch * size).Take(size).Order());
        }
    }

    [Fact]
    public void Epochs_are_shuffled_differently()
    {
        var sampler = new MinibatchSampler(100, 100, seed: 1);
        int[] first = sampler.Next();
        int[] second = sampler.Next();

        Assert.NotEqual(first, second);
        Assert.NotEqual(Enumerable.Range(0, 100), first);
    }

    [Fact]
    public void The_same_seed_and_step_give_the_same_batch()
    {
        var a = new MinibatchSampler(1000, 32, seed: 42);
        var b = new MinibatchSampler(1000, 32, seed: 42);
        var c = new MinibatchSampler(1000, 32, seed: 43);
        var fromB = new int[32];
        var fromC = new int[32];
        for (int step = 0; step < 5; step++)
        {
            a.Next();
        }

        b.BatchAt(5, fromB);
        c.BatchAt(5, fromC);

        Assert.Equal(fromB, a.Next());
        Assert.NotEqual(fromB, fromC);
    }

    [Fact]
    public void Resuming_from_the_saved_state_continues_exactly()
    {
        var original = new MinibatchSampler(50, 7, seed: 3);
        for (int step = 0; step < 13; step++)
        {
            original.Next();
        }

        SamplerState saved = original.State;
        var resumed = MinibatchSampler.Resume(50, 7, saved);

        Assert.Equal(new SamplerState(3, 13), saved);
        for (int step = 0; step < 20; step++)
        {
            Assert.Equal(original.Next(), resumed.Next());
        }

        Assert.Equal(original.State, resumed.State);
    }

    [Fact]
    public void BatchAt_does_not_move_the_sampler()
    {
        var sampler = new MinibatchSampler(20, 4, seed: 0);
        var peek = new int[4];
        sampler.BatchAt(9, peek);

        Assert.Equal(0, sampler.Step);
        Assert.Equal(0, sampler.Epoch);
    }

    [Fact]
    public void Epoch_counts_whole_passes_over_the_data()
    {
        var sampler = new MinibatchSampler(10, 4, seed: 0, step: 5);
        Assert.Equal(2, sampler.Epoch);
    }
}
