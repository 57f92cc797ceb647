using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Models;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Support;

/// <summary>The ONNX models the runtime is tested through, and how they are loaded.</summary>
internal static class OnnxMixtures
{
    /// <summary>The mixture every ONNX test model represents: <see cref="ExactMixtureModel.ThreeComponents"/>.</summary>
    public static GaussianMixture Mixture { get; } = StandardMixtures.ThreeComponents;

    /// <summary>The DDPM config of most tests: diffusers' linear betas, no clipping (the mixture reaches past +-1).</summary>
    public const string DdpmConfig = """{ "num_train_timesteps": 1000, "beta_schedule": "linear", "clip_sample": false }""";

    /// <summary>
    /// Every element type, timestep shape, prediction type and noise schedule at least once (not
    /// their product): what the model contract allows, each as a model would be exported.
    /// </summary>
    public static IReadOnlyList<OnnxMixtureCase> Cases { get; } =
    [
        new("ddpm epsilon, int64 timestep [N]", DdpmConfig, TimestepType: ElementType.Int64),
        new("cosine v_prediction, float16 sample, timestep [1]",
            """{ "beta_schedule": "squaredcos_cap_v2", "prediction_type": "v_prediction", "clip_sample": false }""",
            SampleType: ElementType.Float16, TimestepShape: TimestepShape.One),
        new("ddpm sample, float16 scalar timestep",
            """{ "beta_schedule": "linear", "prediction_type": "sample", "clip_sample": false }""",
            TimestepType: ElementType.Float16, TimestepShape: TimestepShape.Scalar),
        new("vp score, t times 999", """{ "noise_schedule": "vp", "prediction_type": "score", "timestep_scale": 999 }"""),
        new("subvp epsilon, float16 sample and timestep", """{ "noise_schedule": "subvp" }""",
            SampleType: ElementType.Float16, TimestepType: ElementType.Float16),
        new("ScoreSdeVeScheduler: sigma in, score out", """{ "_class_name": "ScoreSdeVeScheduler", "sigma_min": 0.01, "sigma_max": 20 }"""),
        new("ve v_prediction, log sigma timestep [1]",
            """{ "noise_schedule": "ve", "sigma_min": 0.01, "sigma_max": 20, "timestep_input": "log_sigma", "prediction_type": "v_prediction" }""",
            TimestepShape: TimestepShape.One),
    ];

    public static OnnxMixtureCase Case(string name) => Cases.Single(c => c.Name == name);

    /// <summary>The mixture as the ONNX builder takes it.</summary>
    public static MixtureComponents Components(GaussianMixture mixture) =>
        new(mixture.Means.Select(m => m.ToArray()).ToArray(), mixture.Stds, mixture.Weights);

    /// <summary>Loads on the CPU (no CUDA probing, so no log line).</summary>
    public static OnnxDiffusionModel Load(string path) => OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu" });
}
