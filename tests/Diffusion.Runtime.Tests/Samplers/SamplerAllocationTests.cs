using Diffusion.Runtime.Benchmarking;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>The new samplers allocate no managed memory per step after warm-up, through ONNX Runtime as in <c>diffusion bench</c>.</summary>
public class SamplerAllocationTests
{
    [Theory]
    [InlineData("dpmpp")]
    [InlineData("dpmpp-sde")]
    [InlineData("unipc")]
    [InlineData("euler-ancestral")]
    [InlineData("edm")]
    [InlineData("pc")]
    [InlineData("langevin")]
    [InlineData("restart")]
    public void StepsAllocateNothing(string sampler)
    {
        using var folder = new TempFolder();
        using var model = OnnxMixtures.Load(OnnxMixtures.Case("ddpm epsilon, int64 timestep [N]").Save(folder.File("model.onnx")));
        var result = SamplerBenchmark.Run(model, sampler, steps: 8, batch: 4, rounds: 1);
        Assert.Equal(0, result.BytesAllocatedPerStep);
    }
}
