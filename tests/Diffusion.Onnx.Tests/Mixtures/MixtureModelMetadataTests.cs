using System.Text.Json;
using Diffusion.Onnx.Mixtures;
using Diffusion.Onnx.Schedulers;
using Diffusion.Onnx.Tests.Support;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Onnx.Tests.Mixtures;

public sealed class MixtureModelMetadataTests
{
    private static readonly GaussianMixtureModelOptions VpOptions = new()
    {
        SampleShape = [1, 2, 2],
        Schedule = NoiseScheduleOptions.Vp(0.1, 20) with { TimestepScale = 999 },
        Prediction = PredictionType.Score,
        SchedulerHints = new SchedulerConfig { SamplingEps = 1e-3, DataMin = -1, DataMax = 1, PredictionType = "overridden" },
        Metadata = new Dictionary<string, string> { ["author"] = "tests", ["license"] = "MIT" },
    };

    [Fact]
    public void MetadataPropsRoundTripThroughOnnxRuntime()
    {
        var model = GaussianMixtureModel.Build(TestMixtures.Uneven.ToComponents(), VpOptions);
        using var session = new InferenceSession(model.ToByteArray());

        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("tests", metadata["author"]);
        Assert.Equal("MIT", metadata["license"]);
        Assert.Equal(
            GaussianMixtureModel.SchedulerConfigFor(TestMixtures.Uneven.ToComponents(), VpOptions).ToJson(indented: false),
            metadata[SchedulerConfig.MetadataKey]);
        Assert.Equal("Diffusion.Onnx", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void EmbeddedConfigDescribesScheduleAndKeepsHints()
    {
        var model = GaussianMixtureModel.Build(TestMixtures.Uneven.ToComponents(), VpOptions);
        var json = model.MetadataProps.Single(p => p.Key == SchedulerConfig.MetadataKey).Value;
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        Assert.Equal("vp", root.GetProperty("noise_schedule").GetString());
        Assert.Equal("t", root.GetProperty("timestep_input").GetString());
        Assert.Equal(999, root.GetProperty("timestep_scale").GetDouble());
        Assert.Equal(0.1, root.GetProperty("beta_min").GetDouble());
        Assert.Equal(20, root.GetProperty("beta_max").GetDouble());
        Assert.Equal("score", root.GetProperty("prediction_type").GetString()); // derived keys win over hints
        Assert.Equal(1e-3, root.GetProperty("sampling_eps").GetDouble());
        Assert.Equal(-1, root.GetProperty("data_min").GetDouble());
        Assert.False(root.TryGetProperty("num_train_timesteps", out _), "a continuous schedule has no training steps");
        Assert.False(root.TryGetProperty("num_classes", out _), "unset keys are left out, not written as null");
    }

    [Fact]
    public void ConfigCanBeLeftOutOfTheModel()
    {
        var model = GaussianMixtureModel.Build(TestMixtures.Uneven.ToComponents(), VpOptions with { EmbedSchedulerConfig = false });
        using var session = new InferenceSession(model.ToByteArray());

        Assert.False(session.ModelMetadata.CustomMetadataMap.ContainsKey(SchedulerConfig.MetadataKey));
        Assert.Equal("tests", session.ModelMetadata.CustomMetadataMap["author"]);
    }

    [Fact]
    public void DiffusersLayoutHasModelAndConfigFileButNoEmbeddedConfig()
    {
        using var folder = new TempDirectory();
        var options = new GaussianMixtureModelOptions
        {
            SampleShape = [1, 2, 2],
            Schedule = NoiseScheduleOptions.Discrete(BetaSchedule.ScaledLinear, 1000, 0.00085, 0.012),
            Prediction = PredictionType.VPrediction,
            SchedulerHints = new SchedulerConfig { ClassName = "DDIMScheduler", TimestepSpacing = "trailing", ClipSample = false, SetAlphaToOne = false, StepsOffset = 1 },
        };

        GaussianMixtureModel.SaveDiffusersLayout(TestMixtures.Uneven.ToComponents(), options, folder.Path);

        Assert.Equal(["model.onnx", "scheduler_config.json"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
        using (var session = new InferenceSession(folder.File("model.onnx")))
            Assert.False(session.ModelMetadata.CustomMetadataMap.ContainsKey(SchedulerConfig.MetadataKey));
        using var document = JsonDocument.Parse(File.ReadAllText(folder.File("scheduler_config.json")));
        var root = document.RootElement;
        Assert.Equal("DDIMScheduler", root.GetProperty("_class_name").GetString());
        Assert.Equal(1000, root.GetProperty("num_train_timesteps").GetInt32());
        Assert.Equal(0.00085, root.GetProperty("beta_start").GetDouble());
        Assert.Equal(0.012, root.GetProperty("beta_end").GetDouble());
        Assert.Equal("scaled_linear", root.GetProperty("beta_schedule").GetString());
        Assert.Equal("v_prediction", root.GetProperty("prediction_type").GetString());
        Assert.Equal("trailing", root.GetProperty("timestep_spacing").GetString());
        Assert.Equal(1, root.GetProperty("steps_offset").GetInt32());
        Assert.False(root.GetProperty("clip_sample").GetBoolean());
        Assert.Equal("discrete", root.GetProperty("noise_schedule").GetString());
        Assert.Equal("index", root.GetProperty("timestep_input").GetString());
    }

    [Fact]
    public void SchedulerConfigRoundTripsThroughJson()
    {
        var config = new SchedulerConfig
        {
            ClassName = "DDPMScheduler", NumTrainTimesteps = 1000, BetaStart = 1e-4, BetaEnd = 0.02, BetaSchedule = "linear",
            TrainedBetas = [0.1, 0.2], PredictionType = "epsilon", VarianceType = "fixed_small", SigmaMin = 0.01, SigmaMax = 50,
            NoiseSchedule = "ve", TimestepInput = "log_sigma", TimestepScale = 1, BetaMin = 0.1, BetaMax = 20, SamplingEps = 1e-5,
            DataMin = -1.5, DataMax = 1.5, NumClasses = 10, NullClassLabel = 10, ClipSample = true, ClipSampleRange = 1.5,
            SetAlphaToOne = true, StepsOffset = 1, TimestepSpacing = "leading",
        };

        var parsed = SchedulerConfig.FromJson(config.ToJson());

        Assert.Equal([0.1, 0.2], parsed.TrainedBetas);
        Assert.Equal(config with { TrainedBetas = parsed.TrainedBetas }, parsed);
    }

    [Fact]
    public void MalformedConfigJsonGivesFormatError()
    {
        var error = Assert.Throws<FormatException>(() => SchedulerConfig.FromJson("{\"num_train_timesteps\": \"many\"}"));
        Assert.Contains("scheduler config", error.Message);
    }
}
