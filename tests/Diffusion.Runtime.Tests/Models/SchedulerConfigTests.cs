using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Tests.Models;

public class SchedulerConfigTests
{
    [Fact]
    public void ReadsADiffusersDdpmConfig()
    {
        const string json = """
        { "_class_name": "DDPMScheduler", "_diffusers_version": "0.1.1", "beta_end": 0.02, "beta_schedule": "linear",
          "beta_start": 0.0001, "clip_sample": true, "num_train_timesteps": 1000, "trained_betas": null, "variance_type": "fixed_small" }
        """;
        var c = SchedulerConfig.Parse(json, "test");
        Assert.Equal("discrete", c.NoiseSchedule);
        Assert.Equal(PredictionType.Epsilon, c.PredictionType);
        Assert.Equal(TimestepSpacing.Leading, c.TimestepSpacing);
        Assert.Equal(TimestepInput.Index, c.TimestepInput);
        Assert.True(c.ClipSample);
        Assert.IsType<DiscreteSchedule>(c.CreateSchedule());
    }

    [Fact]
    public void ScoreSdeVeSchedulerMeansSigmaInputAndScoreOutput()
    {
        var c = SchedulerConfig.Parse("""{ "_class_name": "ScoreSdeVeScheduler", "sigma_min": 0.01, "sigma_max": 348, "snr": 0.15 }""", "test");
        Assert.Equal("ve", c.NoiseSchedule);
        Assert.Equal(PredictionType.Score, c.PredictionType);
        Assert.Equal(TimestepInput.Sigma, c.TimestepInput);
        Assert.Equal(0.15, c.Snr);
        Assert.False(c.ClipSample);
        var ve = Assert.IsType<VeSchedule>(c.CreateSchedule());
        Assert.Equal(348, ve.SigmaMax);
    }

    [Theory]
    [InlineData("discrete", TimestepSpacing.Leading, TimestepInput.Index, true)]
    [InlineData("vp", TimestepSpacing.Uniform, TimestepInput.Time, false)]
    [InlineData("subvp", TimestepSpacing.Uniform, TimestepInput.Time, false)]
    [InlineData("ve", TimestepSpacing.Uniform, TimestepInput.Sigma, false)]
    public void DefaultsFollowTheNoiseScheduleInCodeAsInJson(string schedule, TimestepSpacing spacing, TimestepInput input, bool clip)
    {
        var built = new SchedulerConfig { NoiseSchedule = schedule };
        var parsed = SchedulerConfig.Parse($$"""{ "noise_schedule": "{{schedule}}" }""", "test");
        foreach (var c in new[] { built, parsed })
        {
            Assert.Equal(spacing, c.TimestepSpacing);
            Assert.Equal(input, c.TimestepInput);
            Assert.Equal(clip, c.ClipSample);
        }
        Assert.Equal(parsed, built);

        // A default follows the schedule through `with`; a value that was set stays.
        var moved = new SchedulerConfig() with { NoiseSchedule = schedule };
        Assert.Equal(input, moved.TimestepInput);
        var pinned = new SchedulerConfig { TimestepInput = TimestepInput.LogSigma, ClipSample = !clip } with { NoiseSchedule = schedule };
        Assert.Equal(TimestepInput.LogSigma, pinned.TimestepInput);
        Assert.Equal(!clip, pinned.ClipSample);
        Assert.Equal(pinned, SchedulerConfig.Parse(pinned.ToJson(), "round trip"));
    }

    [Fact]
    public void TimestepValueFollowsTheDeclaredMeaning()
    {
        var point = new TimePoint(0.5, 1, 3);
        Assert.Equal(0.5 * 999, SchedulerConfig.Parse("""{ "noise_schedule": "vp", "timestep_scale": 999 }""", "t").TimestepValue(point), 12);
        Assert.Equal(3, SchedulerConfig.Parse("""{ "noise_schedule": "ve" }""", "t").TimestepValue(point));
        Assert.Equal(Math.Log(3), SchedulerConfig.Parse("""{ "noise_schedule": "ve", "timestep_input": "log_sigma" }""", "t").TimestepValue(point), 12);
    }

    [Theory]
    [InlineData("""{ "beta_schedule": "cosine" }""", "beta_schedule")]
    [InlineData("""{ "prediction_type": "noise" }""", "prediction_type")]
    [InlineData("""{ "timestep_spacing": "even" }""", "spacing")]
    [InlineData("""{ "noise_schedule": "edm" }""", "noise_schedule")]
    [InlineData("""{ "num_train_timesteps": "many" }""", "num_train_timesteps")]
    [InlineData("""{ "variance_type": "learned" }""", "variance_type")]
    [InlineData("""{ "num_train_timesteps": 1000, """, "not valid JSON")]
    [InlineData("""[1, 2]""", "not a JSON object")]
    public void BadConfigsNameTheProblem(string json, string expected)
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => SchedulerConfig.Parse(json, "my.json"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("my.json", e.Message);
    }
}

public class SchedulerConfigJsonTests
{
    [Theory]
    [InlineData("""{ "num_train_timesteps": 1000, "beta_schedule": "squaredcos_cap_v2", "prediction_type": "v_prediction", "timestep_spacing": "trailing", "clip_sample": false }""")]
    [InlineData("""{ "noise_schedule": "ve", "sigma_min": 0.02, "sigma_max": 80, "timestep_input": "log_sigma", "num_classes": 10, "null_class_label": 10, "snr": 0.1 }""")]
    [InlineData("""{ "noise_schedule": "subvp", "beta_min": 0.2, "beta_max": 15, "sampling_eps": 0.0001, "timestep_scale": 999, "sample_size": 32, "in_channels": 1 }""")]
    [InlineData("""{ "trained_betas": [0.1, 0.2, 0.3], "num_train_timesteps": 3, "data_min": 0, "data_max": 1 }""")]
    public void ToJsonReadsBackToAnEqualConfig(string json)
    {
        var config = SchedulerConfig.Parse(json, "test");
        var again = SchedulerConfig.Parse(config.ToJson(), "round trip");
        Assert.Equal(config, again);
        Assert.Equal(config.ToJson(), again.ToJson());
        Assert.NotEqual(config, config with { StepsOffset = config.StepsOffset + 1 });
    }
}
