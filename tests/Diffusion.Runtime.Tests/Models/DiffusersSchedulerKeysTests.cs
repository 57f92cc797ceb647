using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Schedules;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Models;

/// <summary>
/// A diffusers scheduler config chooses the sampler and its settings, places the path as its class
/// does, and a key that would change the samples but is not implemented is an error naming it.
/// </summary>
public class DiffusersSchedulerKeysTests
{
    private const string Linear = "\"num_train_timesteps\": 1000, \"beta_start\": 0.0001, \"beta_end\": 0.02, \"beta_schedule\": \"linear\"";

    private static SchedulerConfig Parse(string body) => SchedulerConfig.Parse("{ " + body + " }", "test");

    [Theory]
    [InlineData("DDPMScheduler", null, "ddpm")]
    [InlineData("DDIMScheduler", null, "ddim")]
    [InlineData("EulerDiscreteScheduler", null, "euler")]
    [InlineData("EulerAncestralDiscreteScheduler", null, "euler-ancestral")]
    [InlineData("DPMSolverMultistepScheduler", null, "dpmpp")]
    [InlineData("DPMSolverMultistepScheduler", "sde-dpmsolver++", "dpmpp-sde")]
    [InlineData("UniPCMultistepScheduler", null, "unipc")]
    [InlineData("PNDMScheduler", null, SamplerRegistry.DefaultName)] // a class with no sampler here: the runtime's default
    public void ClassNameChoosesTheSamplerWhenTheRequestNamesNone(string className, string? algorithm, string expected)
    {
        var config = Parse($"\"_class_name\": \"{className}\", {Linear}" + (algorithm is null ? "" : $", \"algorithm_type\": \"{algorithm}\""));
        Assert.Equal(expected, SamplerRegistry.For(null, config).Name);
        Assert.Equal("heun", SamplerRegistry.For("heun", config).Name); // an explicit sampler wins
    }

    [Fact]
    public void ExplicitSamplerStillReadsTheConfigsSettings()
    {
        var config = Parse($"\"_class_name\": \"DPMSolverMultistepScheduler\", {Linear}, \"solver_order\": 3, \"solver_type\": \"heun\", \"lower_order_final\": false, \"euler_at_final\": true");
        var settings = new SamplerSettings().WithDefaultsFrom(config);
        Assert.Equal(3, settings.Order);
        Assert.Equal(SolverType.Heun, settings.SolverType);
        Assert.False(settings.LowerOrderFinal);
        Assert.True(settings.EulerAtFinal);
        // Explicit settings win over the config.
        Assert.Equal(1, (new SamplerSettings { Order = 1 }).WithDefaultsFrom(config).Order);
    }

    [Fact]
    public void ConfigSettingsChangeTheSamplesOfAnExplicitSampler()
    {
        string Config(int order) => $$"""{ "_class_name": "UniPCMultistepScheduler", {{Linear}}, "solver_order": {{order}} }""";
        float[] Run(int order) => Generator.Generate(new ExactMixtureModel(StandardMixtures.ThreeComponents, Config(order)),
            new GenerationOptions { Sampler = "dpmpp", Steps = 10, Count = 8, Seed = 2 }).Data;
        Assert.NotEqual(Run(1), Run(2));
    }

    [Theory]
    [InlineData("\"use_lu_lambdas\": true", "use_lu_lambdas")]
    [InlineData("\"use_exponential_sigmas\": true", "use_exponential_sigmas")]
    [InlineData("\"use_beta_sigmas\": true", "use_beta_sigmas")]
    [InlineData("\"predict_x0\": false", "predict_x0")]
    [InlineData("\"disable_corrector\": [0, 1]", "disable_corrector")]
    [InlineData("\"lambda_min_clipped\": -5.1", "lambda_min_clipped")]
    [InlineData("\"timestep_type\": \"continuous\"", "timestep_type")]
    [InlineData("\"algorithm_type\": \"dpmsolver\"", "algorithm_type")]
    [InlineData("\"final_sigmas_type\": \"one\"", "final_sigmas_type")]
    [InlineData("\"solver_type\": \"rk4\"", "solver_type")]
    [InlineData("\"solver_order\": 4", "solver_order")]
    public void UnimplementedKeysAreErrorsNamingThem(string key, string name)
    {
        var e = Assert.Throws<DiffusionModelException>(() => Parse($"\"_class_name\": \"DPMSolverMultistepScheduler\", {Linear}, {key}"));
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void HarmlessValuesOfThoseKeysAndPythonsInfinityParse()
    {
        // As diffusers saves a DPMSolverMultistepScheduler config: lambda_min_clipped is a bare -Infinity.
        var config = SchedulerConfig.Parse($$"""
            { "_class_name": "DPMSolverMultistepScheduler", {{Linear}}, "lambda_min_clipped": -Infinity, "use_lu_lambdas": false,
              "disable_corrector": [], "predict_x0": true, "variance_type": null, "algorithm_type": "dpmsolver++" }
            """, "test");
        Assert.Equal("dpmpp", config.Sampler);
        Assert.False(config.ClipSample); // the solver classes do not clip
        Assert.Equal(TimestepSpacing.Linspace, config.TimestepSpacing); // their default spacing
    }

    [Fact]
    public void MultistepClassesPlaceNPlusOnePointsAndDropTheLast()
    {
        var config = Parse($"\"_class_name\": \"DPMSolverMultistepScheduler\", {Linear}");
        var path = SamplingPath.Create(config.CreateSchedule(), 10, config.TimestepSpacing, 0, false, config.SpacingConvention);
        // diffusers: np.linspace(0, 999, 11).round()[::-1][:-1], then sigma 0.
        Assert.Equal([999, 899, 799, 699, 599, 500, 400, 300, 200, 100, -1], path.Select(p => p.Time));
        Assert.Equal(0, path[^1].Sigma);
        var sigmaMin = Parse($"\"_class_name\": \"DPMSolverMultistepScheduler\", {Linear}, \"final_sigmas_type\": \"sigma_min\"");
        Assert.Equal(sigmaMin.CreateSchedule().At(0), SamplingPath.Create(sigmaMin.CreateSchedule(), 10, TimestepSpacing.Linspace, 0, false, sigmaMin.SpacingConvention)[^1]);
    }

    [Fact]
    public void UseKarrasSigmasOverridesTheSpacing()
    {
        var config = Parse($"\"_class_name\": \"EulerDiscreteScheduler\", {Linear}, \"timestep_spacing\": \"leading\", \"use_karras_sigmas\": true");
        Assert.Equal(TimestepSpacing.Karras, config.TimestepSpacing);
    }

    [Fact]
    public void RescaledBetasReachZeroSnrAndKeepTheFirstStep()
    {
        var plain = (DiscreteSchedule)Parse(Linear).CreateSchedule();
        var rescaled = (DiscreteSchedule)Parse(Linear + ", \"rescale_betas_zero_snr\": true").CreateSchedule();
        Assert.Equal(plain.AlphasCumprod[0], rescaled.AlphasCumprod[0], 12);
        Assert.True(rescaled.AlphasCumprod[^1] <= Math.Pow(2, -24) && rescaled.AlphasCumprod[^1] < rescaled.AlphasCumprod[^2]);
        Assert.True(rescaled.AlphasCumprod[500] < plain.AlphasCumprod[500]);
    }

    [Fact]
    public void DynamicThresholdingClampsEachSampleAtItsQuantile()
    {
        var config = Parse(Linear + ", \"prediction_type\": \"sample\", \"thresholding\": true, \"dynamic_thresholding_ratio\": 0.5, \"sample_max_value\": 3.0");
        // Two samples of four values: |x| quantile 0.5 (linear between order statistics) is 2.5 and 1 (clamped up to 1).
        float[] output = [1, -2, 3, 4, 0.1f, 0.2f, -0.3f, 0.4f], denoised = new float[8];
        config.ToDenoised(new float[8], output, new TimePoint(10, 0.9, 0.4), denoised, valuesPerSample: 4);
        Assert.Equal([0.4f, -0.8f, 1f, 1f, 0.1f, 0.2f, -0.3f, 0.4f], denoised.Select(v => MathF.Round(v, 5)));
    }
}

public class EulerSpacingConventionTests
{
    [Fact]
    public void EulerClassesKeepFractionalTimesWithSigmaLinearBetweenTrainingSteps()
    {
        var config = SchedulerConfig.Parse("""{ "_class_name": "EulerDiscreteScheduler", "num_train_timesteps": 1100, "beta_schedule": "linear" }""", "test");
        var schedule = (DiscreteSchedule)config.CreateSchedule();
        var path = SamplingPath.Create(schedule, 10, config.TimestepSpacing, 0, false, config.SpacingConvention);
        // diffusers: np.linspace(0, 1099, 10)[::-1], not rounded; sigma = np.interp over the training sigmas.
        Assert.Equal(1099 - 1099.0 / 9, path[1].Time, 9);
        int i = (int)Math.Floor(path[1].Time);
        double w = path[1].Time - i;
        static double Scaled(double alphaBar) => Math.Sqrt((1 - alphaBar) / alphaBar);
        double expected = (1 - w) * Scaled(schedule.AlphasCumprod[i]) + w * Scaled(schedule.AlphasCumprod[i + 1]);
        Assert.Equal(expected, path[1].ScaledSigma, 9);
        Assert.Equal(1, path[1].Alpha * path[1].Alpha + path[1].Sigma * path[1].Sigma, 12);
    }
}
