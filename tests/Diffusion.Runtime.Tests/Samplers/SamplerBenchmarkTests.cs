using Diffusion.Runtime.Benchmarking;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>The benchmark counts the model calls each step makes, so its ratio is per evaluation whatever the sampler.</summary>
public class SamplerBenchmarkTests
{
    // Steps 2 to n-1 are measured: DDIM calls the model once in each, Heun twice, and restart sampling once plus,
    // in the step that holds its restart, two thirds of the steps (5 of 8) more: 11 calls over the 6 steps.
    [Theory]
    [InlineData("ddim", 1.0)]
    [InlineData("heun", 2.0)]
    [InlineData("restart", 11.0 / 6)]
    public void EvaluationsPerStepAreTheCallsTheMeasuredStepsMade(string sampler, double expected)
    {
        using var folder = new TempFolder();
        using var model = OnnxMixtures.Load(OnnxMixtures.Case("ddpm epsilon, int64 timestep [N]").Save(folder.File("model.onnx")));
        var result = SamplerBenchmark.Run(model, sampler, steps: 8, batch: 4, rounds: 1);
        Assert.Equal(expected, result.EvaluationsPerStep, 9);
        Assert.True(result.Ratio is > 0 and < 100, $"ratio {result.Ratio}");
    }
}
