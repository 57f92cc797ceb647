using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// A model loads from our layout (one .onnx file, config embedded) and from diffusers' layouts
/// (model.onnx beside scheduler_config.json; a pipeline's unet/model.onnx and
/// scheduler/scheduler_config.json), and an explicit config overrides any other.
/// </summary>
public class ModelLayoutTests
{
    private static readonly OnnxMixtureCase Ddpm = OnnxMixtures.Cases[0];

    // A config as diffusers writes it: its keys only, ours left to their defaults.
    private const string DiffusersDdpmConfig = """
        {
          "_class_name": "DDPMScheduler",
          "_diffusers_version": "0.30.0",
          "beta_end": 0.02,
          "beta_schedule": "linear",
          "beta_start": 0.0001,
          "clip_sample": false,
          "num_train_timesteps": 1000,
          "prediction_type": "epsilon",
          "trained_betas": null,
          "variance_type": "fixed_small"
        }
        """;

    private static readonly GenerationOptions Quick = new() { Sampler = "ddim", Steps = 10, Count = 8, Seed = 4 };

    private static float[] Sample(OnnxDiffusionModel model) => Generator.Generate(model, Quick).Data;

    private static void SaveWithoutConfig(string path) =>
        GaussianMixtureModel.Build(OnnxMixtures.Components(OnnxMixtures.Mixture), Ddpm.Options() with { EmbedSchedulerConfig = false }).Save(path);

    [Fact]
    public void OurLayoutReadsTheEmbeddedConfig()
    {
        using var folder = new TempFolder();
        using var model = OnnxMixtures.Load(Ddpm.Save(folder.File("ring.onnx")));

        Assert.Equal(folder.File("ring.onnx"), model.ModelPath);
        Assert.Equal("embedded metadata_props", model.ConfigSource);
        Assert.Equal(Ddpm.Config, model.Config);
    }

    [Fact]
    public void DiffusersFolderReadsModelAndConfigBesideIt()
    {
        using var folder = new TempFolder();
        GaussianMixtureModel.SaveDiffusersLayout(OnnxMixtures.Components(OnnxMixtures.Mixture), Ddpm.Options(), folder.Path);
        using var embedded = OnnxMixtures.Load(Ddpm.Save(folder.File("embedded.onnx")));

        using var model = OnnxMixtures.Load(folder.Path);

        Assert.Equal(folder.File("model.onnx"), model.ModelPath);
        Assert.Equal(folder.File(SchedulerConfig.FileName), model.ConfigSource);
        Assert.Equal(Ddpm.Config, model.Config);
        Assert.Equal(Sample(embedded), Sample(model));
    }

    [Fact]
    public void DiffusersPipelineReadsUnetAndSchedulerFolders()
    {
        using var folder = new TempFolder();
        SaveWithoutConfig(Path.Combine(folder.Path, "unet", "model.onnx"));
        Directory.CreateDirectory(Path.Combine(folder.Path, "scheduler"));
        File.WriteAllText(Path.Combine(folder.Path, "scheduler", SchedulerConfig.FileName), DiffusersDdpmConfig);
        using var embedded = OnnxMixtures.Load(Ddpm.Save(folder.File("embedded.onnx")));

        using var fromRoot = OnnxMixtures.Load(folder.Path);
        using var fromFile = OnnxMixtures.Load(Path.Combine(folder.Path, "unet", "model.onnx"));

        foreach (var model in new[] { fromRoot, fromFile })
        {
            Assert.Equal(Path.Combine(folder.Path, "unet", "model.onnx"), model.ModelPath);
            Assert.Equal(Path.Combine(folder.Path, "scheduler", SchedulerConfig.FileName), model.ConfigSource);
            Assert.Equal("DDPMScheduler", model.Config.ClassName);
            Assert.Equal(Ddpm.Config with { ClassName = "DDPMScheduler" }, model.Config);
            Assert.Equal(Sample(embedded), Sample(model));
        }
    }

    [Fact]
    public void ExplicitConfigOverridesTheEmbeddedOneAndAnyBesideTheModel()
    {
        using var folder = new TempFolder();
        string modelPath = Ddpm.Save(folder.File("model.onnx"));
        File.WriteAllText(folder.File(SchedulerConfig.FileName), (Ddpm.Config with { DataMax = 2 }).ToJson());
        string explicitPath = folder.File("explicit.json");
        File.WriteAllText(explicitPath, (Ddpm.Config with { DataMax = 3 }).ToJson());

        using var withExplicit = OnnxDiffusionModel.Load(modelPath, new ModelLoadOptions { Device = "cpu", SchedulerConfigPath = explicitPath });
        using var withoutExplicit = OnnxMixtures.Load(modelPath);

        Assert.Equal(explicitPath, withExplicit.ConfigSource);
        Assert.Equal(3, withExplicit.Config.DataMax);
        Assert.Equal("embedded metadata_props", withoutExplicit.ConfigSource);
        Assert.Equal(1, withoutExplicit.Config.DataMax);
    }

    [Fact]
    public void ExplicitConfigSuppliesAModelThatHasNone()
    {
        using var folder = new TempFolder();
        SaveWithoutConfig(folder.File("bare.onnx"));
        string configPath = folder.File("my-config.json");
        File.WriteAllText(configPath, DiffusersDdpmConfig);

        using var model = OnnxDiffusionModel.Load(folder.File("bare.onnx"), new ModelLoadOptions { Device = "cpu", SchedulerConfigPath = configPath });

        Assert.Equal(configPath, model.ConfigSource);
        Assert.Equal(1000, model.Config.NumTrainTimesteps);
        Assert.Equal(8 * 2, Sample(model).Length);
    }

    [Theory]
    [InlineData(TimestepShape.Batch, new[] { -1 })]
    [InlineData(TimestepShape.One, new[] { 1 })]
    [InlineData(TimestepShape.Scalar, new int[0])]
    public void DeclaredTypesAndShapesAreReadNotAssumed(TimestepShape shape, int[] dims)
    {
        using var folder = new TempFolder();
        var testCase = Ddpm with { SampleType = ElementType.Float16, TimestepType = ElementType.Int64, TimestepShape = shape };
        using var model = OnnxMixtures.Load(testCase.Save(folder.File("model.onnx")));

        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16, model.SampleInput.ElementType);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64, model.TimestepInput.ElementType);
        Assert.Equal(dims, model.TimestepInput.Dimensions);
        Assert.True(model.IntegerTimesteps);
        Assert.Equal(new SampleShape(2, 1, 1), model.SampleShape);
        Assert.Null(model.FixedBatchSize);
    }
}
