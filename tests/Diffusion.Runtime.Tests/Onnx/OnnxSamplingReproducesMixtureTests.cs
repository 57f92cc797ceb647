using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// Sampling an exact mixture model through ONNX Runtime draws the mixture, for every element type,
/// timestep shape, prediction type and noise schedule the model contract allows: sample by sample
/// it follows the same sampler run on the exact double-precision denoiser, and its component
/// weights, means and variances are the mixture's.
/// </summary>
public class OnnxSamplingReproducesMixtureTests
{
    public static TheoryData<string, string> Cases() => new()
    {
        { "ddpm epsilon, int64 timestep [N]", "ddim" },
        { "cosine v_prediction, float16 sample, timestep [1]", "ddpm" },
        { "ddpm sample, float16 scalar timestep", "euler" },
        { "vp score, t times 999", "heun" },
        { "subvp epsilon, float16 sample and timestep", "ddim" },
        { "ScoreSdeVeScheduler: sigma in, score out", "pc" },
        { "ve v_prediction, log sigma timestep [1]", "ddim-eta1" },
        { "cosine v_prediction, float16 sample, timestep [1]", "dpmpp" },
        { "vp score, t times 999", "unipc" },
        { "ddpm sample, float16 scalar timestep", "euler-ancestral" },
        { "subvp epsilon, float16 sample and timestep", "dpmpp-sde" },
        { "ve v_prediction, log sigma timestep [1]", "edm" },
        { "ddpm epsilon, int64 timestep [N]", "unipc" },
        { "ddpm epsilon, int64 timestep [N]", "restart" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SamplingThroughOnnxRuntimeReproducesTheMixture(string caseName, string sampler)
    {
        var testCase = OnnxMixtures.Case(caseName);
        using var folder = new TempFolder();
        using var model = OnnxMixtures.Load(testCase.Save(folder.File("model.onnx")));
        // Steps as in SamplersReproduceMixtureTests, Karras spacing except DDIM on the config's own (leading).
        var options = sampler switch
        {
            "ddim" => new GenerationOptions { Sampler = "ddim", Steps = 100 },
            "ddpm" => new GenerationOptions { Sampler = "ddpm", Steps = 300, Spacing = TimestepSpacing.Karras },
            "euler" => new GenerationOptions { Sampler = "euler", Steps = 200, Spacing = TimestepSpacing.Karras },
            "heun" => new GenerationOptions { Sampler = "heun", Steps = 40, Spacing = TimestepSpacing.Karras },
            "pc" => new GenerationOptions { Sampler = "pc", Steps = 300, Spacing = TimestepSpacing.Karras },
            "dpmpp" or "unipc" => new GenerationOptions { Sampler = sampler, Steps = 100, Spacing = TimestepSpacing.Karras },
            "euler-ancestral" => new GenerationOptions { Sampler = sampler, Steps = 300, Spacing = TimestepSpacing.Karras },
            "dpmpp-sde" or "edm" => new GenerationOptions { Sampler = sampler, Steps = 100, Spacing = TimestepSpacing.Karras },
            "restart" => new GenerationOptions { Sampler = sampler, Steps = 40, Spacing = TimestepSpacing.Karras },
            _ => new GenerationOptions { Sampler = "ddim", Steps = 300, Spacing = TimestepSpacing.Karras, Settings = new SamplerSettings { Eta = 1 } },
        } with
        { Count = 500, Seed = 21 };

        var samples = Generator.Generate(model, options).Data;
        var exact = Generator.Generate(testCase.Exact(), options).Data;

        // The same noise through the same sampler: only float rounding (float16's where the model is float16) sets them apart.
        double rms = Math.Sqrt(samples.Zip(exact, (a, b) => (double)(a - b) * (a - b)).Average());
        double tolerance = testCase.SampleType == ElementType.Float16 || testCase.TimestepType == ElementType.Float16 ? 3e-3 : 1e-5;
        Assert.True(rms < tolerance, $"{caseName}: samples differ from the exact model's by {rms:E2} (rms), more than {tolerance:E0}");
        // Three standard errors at 500 samples (the smallest component holds about 100).
        MixtureStatistics.AssertMatches(OnnxMixtures.Mixture, samples, weightTolerance: 0.07, meanTolerance: 0.06, varianceRelTolerance: 0.42);
    }
}
