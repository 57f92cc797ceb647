using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>A sampler written outside the library, with only the public step helpers, plugs into generation.</summary>
public class CustomSamplerTests
{
    /// <summary>
    /// Deterministic DDIM written by a user: x_s = alpha_s x0 + sigma_s eps (Song et al. 2021, eq. 12 with eta = 0).
    /// </summary>
    private sealed class UserDdim : ISampler
    {
        public string Name => "user-ddim";

        public string Summary => "DDIM written outside the library";

        public IReadOnlyList<string> Options => [];

        public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

        public void Run(SamplerRun run)
        {
            float[] x = run.Sample, denoised = run.Scratch(0);
            for (int i = 0; i < run.Steps; i++)
            {
                run.Denoise(x, run.Path[i], denoised);
                SamplerSteps.TowardsDenoised(x, denoised, run.Path[i], run.Path[i + 1], run.Path[i + 1].Sigma, x);
                run.CompleteStep(i);
            }
        }
    }

    [Theory]
    [InlineData("discrete")]
    [InlineData("ve")]
    public void AUserSamplerRunsThroughGenerationAndMatchesTheBuiltIn(string schedule)
    {
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs[schedule]);
        var options = new GenerationOptions { Steps = 15, Count = 8, Seed = 3, Spacing = Runtime.Sampling.TimestepSpacing.Karras };
        var builtIn = Generator.Generate(model, options with { Sampler = "ddim" });
        var custom = Generator.Generate(model, options with { Sampler = "ignored", CustomSampler = new UserDdim() });
        Assert.Equal(builtIn.Data, custom.Data);
        Assert.Equal(15, custom.ModelEvaluations);
    }
}
