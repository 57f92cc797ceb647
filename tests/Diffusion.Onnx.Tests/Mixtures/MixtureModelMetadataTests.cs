using System.Text.Json;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;
using Diffusion.Onnx.Tests.Support;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Onnx.Tests.Mixtures;

public sealed class MixtureModelMetadataTests
{
    private static readonly GaussianMixtureModelOptions VpOptions = new()
    {
        SampleShape = [1, 2, 2],
        Scheduler = Configs.Vp with { TimestepScale = 999, PredictionType = PredictionType.Score, SamplingEps = 1e-3, DataMin = -1, DataMax = 1 },
        Metadata = new Dictionary<string, string> { ["author"] = "tests", ["license"] = "MIT" },
    };

    [Fact]
    public void MetadataPropsRoundTripThroughOnnxRuntime()
    {
        var model = GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), VpOptions);
        using var session = new InferenceSession(model.ToByteArray());

        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("tests", metadata["author"]);
        Assert.Equal("MIT", metadata["license"]);
        Assert.Equal(
            GaussianMixtureModel.SchedulerConfigFor(StandardMixtures.Uneven.ToComponents(), VpOptions).ToJson(),
            metadata[SchedulerConfig.MetadataKey]);
        Assert.Equal("Diffusion.Onnx", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void EmbeddedConfigDescribesScheduleAndInferenceChoices()
    {
        var model = GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), VpOptions);
        var json = model.MetadataProps.Single(p => p.Key == SchedulerConfig.MetadataKey).Value;
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        Assert.Equal("vp", root.GetProperty("noise_schedule").GetString());
        Assert.Equal("t", root.GetProperty("timestep_input").GetString());
        Assert.Equal(999, root.GetProperty("timestep_scale").GetDouble());
        Assert.Equal(0.1, root.GetProperty("beta_min").GetDouble());
        Assert.Equal(20, root.GetProperty("beta_max").GetDouble());
        Assert.Equal("score", root.GetProperty("prediction_type").GetString());
        Assert.Equal(1e-3, root.GetProperty("sampling_eps").GetDouble());
        Assert.Equal(-1, root.GetProperty("data_min").GetDouble());
        Assert.Equal(0, root.GetProperty("num_classes").GetInt32());
        Assert.False(root.TryGetProperty("null_class_label", out _), "an unconditional model has no null label");
        Assert.Equal(VpOptions.Scheduler, SchedulerConfig.Parse(json, "embedded"));
    }

    [Fact]
    public void ConfigCanBeLeftOutOfTheModel()
    {
        var model = GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), VpOptions with { EmbedSchedulerConfig = false });
        using var session = new InferenceSession(model.ToByteArray());

        Assert.False(session.ModelMetadata.CustomMetadataMap.ContainsKey(SchedulerConfig.MetadataKey));
        Assert.Equal("tests", session.ModelMetadata.CustomMetadataMap["author"]);
    }

    [Fact]
    public void DiffusersLayoutHasModelAndConfigFileButNoEmbeddedConfig()
    {
        using var folder = new TempFolder();
        var options = new GaussianMixtureModelOptions
        {
            SampleShape = [1, 2, 2],
            Scheduler = Configs.Discrete("scaled_linear", 0.00085, 0.012) with
            {
                PredictionType = PredictionType.VPrediction,
                ClassName = "DDIMScheduler",
                TimestepSpacing = TimestepSpacing.Trailing,
                ClipSample = false,
                SetAlphaToOne = false,
                StepsOffset = 1,
            },
        };

        GaussianMixtureModel.SaveDiffusersLayout(StandardMixtures.Uneven.ToComponents(), options, folder.Path);

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
}
