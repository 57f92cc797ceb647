using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>Samplers that the papers prove equal must agree to rounding.</summary>
public class SamplerIdentityTests
{
    private static float[] Run(string configKey, string sampler, SamplerSettings settings, int steps = 20) =>
        Generator.Generate(new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs[configKey]),
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

    // SDE-DPM-Solver++ of order 1 (Lu et al. 2022b, appendix), x_t = (sigma_t/sigma_s) e^-h x_s + alpha_t (1 - e^-2h) D
    // + sigma_t sqrt(1 - e^-2h) z, is DDPM's ancestral step with the posterior variance written in lambda = log(alpha/sigma).
    [Theory]
    [InlineData("discrete")]
    [InlineData("vp")]
    public void FirstOrderDpmSolverSdeIsDdpmWithPosteriorVariance(string schedule)
    {
        var sde = Run(schedule, "dpmpp-sde", new SamplerSettings { Order = 1 });
        var ddpm = Run(schedule, "ddpm", new SamplerSettings { VarianceType = "fixed_small" });
        for (int i = 0; i < sde.Length; i++) Assert.Equal(ddpm[i], sde[i], 3);
    }

    [Fact]
    public void FixedLargeVarianceDiffersFromFixedSmall()
    {
        var small = Run("discrete", "ddpm", new SamplerSettings { VarianceType = "fixed_small" });
        var large = Run("discrete", "ddpm", new SamplerSettings { VarianceType = "fixed_large" });
        Assert.True(small.Zip(large).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }

    [Theory]
    [InlineData("discrete")]
    [InlineData("ve")]
    [InlineData("subvp")]
    public void FirstOrderDpmSolverAndUniPcPredictorAreDdim(string schedule)
    {
        var ddim = Run(schedule, "ddim", new SamplerSettings { Eta = 0 });
        var dpm = Run(schedule, "dpmpp", new SamplerSettings { Order = 1 });
        var unip = Run(schedule, "unipc", new SamplerSettings { Order = 1, UseCorrector = false });
        for (int i = 0; i < ddim.Length; i++)
        {
            Assert.Equal(ddim[i], dpm[i], 4);
            Assert.Equal(ddim[i], unip[i], 4);
        }
    }

    [Theory]
    [InlineData("discrete")]
    [InlineData("vp")]
    public void EulerAncestralWithEtaZeroIsEuler(string schedule)
    {
        var euler = Run(schedule, "euler", new SamplerSettings());
        var ancestral = Run(schedule, "euler-ancestral", new SamplerSettings { Eta = 0 });
        for (int i = 0; i < euler.Length; i++) Assert.Equal(euler[i], ancestral[i], 4);
    }

    [Theory]
    [InlineData("discrete")]
    [InlineData("ve")]
    public void EdmWithoutChurnIsHeun(string schedule)
    {
        var heun = Run(schedule, "heun", new SamplerSettings());
        var edm = Run(schedule, "edm", new SamplerSettings { SChurn = 0 });
        for (int i = 0; i < heun.Length; i++) Assert.Equal(heun[i], edm[i], 5);
    }

    // With no noise share the SDE's exponential integrator is the ODE's (DpmSolverStep at eta = 0).
    [Theory]
    [InlineData("discrete")]
    [InlineData("ve")]
    public void DpmSolverSdeWithEtaZeroIsDpmSolver(string schedule)
    {
        var ode = Run(schedule, "dpmpp", new SamplerSettings());
        var sde = Run(schedule, "dpmpp-sde", new SamplerSettings { Eta = 0 });
        for (int i = 0; i < ode.Length; i++) Assert.Equal(ode[i], sde[i], 6);
    }

    [Theory]
    [InlineData("discrete")]
    [InlineData("vp")]
    public void RestartWithoutRestartsIsDpmSolver(string schedule)
    {
        var ode = Run(schedule, "dpmpp", new SamplerSettings());
        var restart = Run(schedule, "restart", new SamplerSettings { Restarts = 0 });
        for (int i = 0; i < ode.Length; i++) Assert.Equal(ode[i], restart[i], 6);
    }
}
