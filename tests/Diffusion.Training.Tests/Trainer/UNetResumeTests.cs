using Diffusion.Training.Objectives;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>Dropout draws from libtorch's process-wide generator, which the trainer reseeds every step: no other test may draw from it meanwhile.</summary>
[Collection(nameof(ProcessWideTorchState))]
public class UNetResumeTests
{
    [Fact]
    public void ResumingAClassConditionalUNetWithDropoutContinuesExactly()
    {
        _ = TinyRuns.Ring; // one libtorch thread
        var data = TinyImages.Load();
        ResumeTests.AssertResumeIsExact(steps => TrainingRun.Create(TinyImages.Spec, data, ScoreSdeObjective.Create("vp"), TinyImages.UNet(conditional: true),
            TinyRuns.Options(steps) with { BatchSize = 8, ClassConditional = true, LabelDropout = 0.3, Optimizer = "adamw", WeightDecay = 0.01 }), data, 6);
    }
}
