using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>
/// With an exact denoiser and enough steps, every sampler on every noise process draws the mixture
/// itself: its component weights, means and variances.
/// </summary>
public class SamplersReproduceMixtureTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var schedule in ExactMixtureModel.Configs.Keys)
            foreach (var sampler in new[] { "ddpm", "ddim", "ddim-eta1", "euler", "heun", "pc", "pc-em", "langevin" })
                data.Add(sampler, schedule);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SamplerReproducesWeightsMeansAndVariances(string sampler, string schedule)
    {
        var model = new ExactMixtureModel(ExactMixtureModel.ThreeComponents(), ExactMixtureModel.Configs[schedule]);
        var (name, steps, settings) = sampler switch
        {
            "ddpm" => ("ddpm", 200, new SamplerSettings()),
            "ddim" => ("ddim", 100, new SamplerSettings()),
            "ddim-eta1" => ("ddim", 200, new SamplerSettings { Eta = 1 }),
            "euler" => ("euler", 200, new SamplerSettings()),
            "heun" => ("heun", 50, new SamplerSettings()),
            "pc" => ("pc", 200, new SamplerSettings()),
            "pc-em" => ("pc", 300, new SamplerSettings { Predictor = "euler_maruyama" }),
            _ => ("langevin", 100, new SamplerSettings { LangevinSteps = 10 }),
        };
        var spacing = schedule == "discrete" ? TimestepSpacing.Linspace : TimestepSpacing.Uniform;
        var samples = Generator.Generate(model, new GenerationOptions
        {
            Sampler = name, Steps = steps, Count = 2000, Seed = 5, Spacing = spacing, Settings = settings,
        });
        bool langevin = name == "langevin";
        MixtureStatistics.AssertMatches(model.Mixture, samples.Data,
            weightTolerance: 0.045, meanTolerance: 0.03, varianceRelTolerance: langevin ? 0.35 : 0.2);
    }
}
