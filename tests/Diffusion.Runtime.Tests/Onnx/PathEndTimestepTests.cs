using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// With <c>set_alpha_to_one: false</c> a discrete path ends on the first training step, not on the
/// clean sample, and Heun evaluates the model there: the model must be fed that step (0), the time
/// at which the schedule gives the noise level, not a time outside the training grid (an int64
/// timestep of -1 makes ONNX's Gather read the last step, 999).
/// </summary>
public class PathEndTimestepTests
{
    [Theory]
    [InlineData("heun")]
    [InlineData("ddim")]
    public void PathEndingOnTheFirstTrainingStepFeedsThatStep(string sampler)
    {
        var testCase = new OnnxMixtureCase("ddpm, set_alpha_to_one false",
            """{ "beta_schedule": "linear", "clip_sample": false, "set_alpha_to_one": false }""", TimestepType: ElementType.Int64);
        using var folder = new TempFolder();
        using var model = OnnxMixtures.Load(testCase.Save(folder.File("model.onnx")));
        var options = new GenerationOptions { Sampler = sampler, Steps = 20, Count = 64, Seed = 3, Spacing = TimestepSpacing.Trailing };

        var last = Generator.PathFor(model, options)[^1];
        var samples = Generator.Generate(model, options).Data;
        var exact = Generator.Generate(testCase.Exact(), options).Data;

        double worst = samples.Zip(exact, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-4, $"{sampler}: samples differ from the exact model's by up to {worst:E2}");
        Assert.Equal(0, model.Config.TimestepValue(last));
    }
}
