using Diffusion.Torch;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>
/// Tests that read or seed process-wide libtorch state (the live tensor count; the global generator,
/// which dropout draws from) run alone, not beside tests that create tensors or draw from it.
/// </summary>
[CollectionDefinition(nameof(ProcessWideTorchState), DisableParallelization = true)]
public class ProcessWideTorchState
{
}

/// <summary>Every step's tensors are released with its dispose scope: the count of live native tensors stays flat.</summary>
[Collection(nameof(ProcessWideTorchState))]
public class MemoryTests
{
    [Fact]
    public void LiveTensorsDoNotGrowWithTheNumberOfSteps()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        using var trainer = Training.Trainer.Start(TinyRuns.Run(data, TinyRuns.Options(60) with { CheckpointEvery = 20 }), data, folder.Path);
        var counts = new Dictionary<long, long>();
        trainer.Train(new CountAt(counts));
        Assert.Equal(counts[10], counts[30]);
        Assert.Equal(counts[10], counts[60]);
    }

    private sealed class CountAt(Dictionary<long, long> counts) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => counts[value.Step] = torch.LiveTensorCount;
    }
}
