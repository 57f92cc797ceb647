using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>Samplers that the papers prove equal must agree to rounding.</summary>
public class SamplerIdentityTests
{
    private static float[] Run(string configKey, string sampler, SamplerSettings settings, int steps = 20) =>
        Generator.Generate(new ExactMixtureModel(ExactMixtureModel.ThreeComponents(), ExactMixtureModel.Configs[configKey]),
            new GenerationOptions { Sampler = sampler, Steps = steps, Count = 64, Seed = 3, Settings = settings, Spacing = TimestepSpacing.Uniform }).Data;

    [Theory]
    [InlineData("discrete")]
    [InlineData("ve")]
    public void DeterministicDdimIsEulerOnTheProbabilityFlowOde(string schedule)
    {
        var ddim = Run(schedule, "ddim", new SamplerSettings { Eta = 0 });
        var euler = Run(schedule, "euler", new SamplerSettings());
        for (int i = 0; i < ddim.Length; i++) Assert.Equal(ddim[i], euler[i], 4);
    }

    [Theory]
    [InlineData("discrete")]
    [InlineData("vp")]
    public void DdimWithEtaOneIsDdpmWithPosteriorVariance(string schedule)
    {
        var ddim = Run(schedule, "ddim", new SamplerSettings { Eta = 1 });
        var ddpm = Run(schedule, "ddpm", new SamplerSettings { VarianceType = "fixed_small" });
        for (int i = 0; i < ddim.Length; i++) Assert.Equal(ddim[i], ddpm[i], 3);
    }

    [Fact]
    public void FixedLargeVarianceDiffersFromFixedSmall()
    {
        var small = Run("discrete", "ddpm", new SamplerSettings { VarianceType = "fixed_small" });
        var large = Run("discrete", "ddpm", new SamplerSettings { VarianceType = "fixed_large" });
        Assert.True(small.Zip(large).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }
}
