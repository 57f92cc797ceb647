using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Noise;

namespace Diffusion.Cli.Tests;

/// <summary>
/// diffusers' EulerDiscreteScheduler and EulerAncestralDiscreteScheduler full-loop test values
/// (test_scheduler_euler.py, test_scheduler_euler_ancestral.py), reproduced at the library level on the same
/// ONNX dummy model as <see cref="DiffusersParityTests"/>: their loop hands step() the scaled sample
/// (<see cref="DiffusersEulerTestLoop"/> explains), which only a <see cref="GenerationOptions.CustomSampler"/>
/// can express, and the CLI takes no custom sampler. Noise is torch's, seeded 0, as theirs
/// (<see cref="NoiseKind.Torch"/>); 10 steps; their config (1100 training steps, linear betas, linspace spacing).
/// </summary>
public sealed class DiffusersEulerLoopTests : IDisposable
{
    private const string Config = "\"num_train_timesteps\": 1100, \"beta_start\": 0.0001, \"beta_end\": 0.02, \"beta_schedule\": \"linear\"";
    private const string VPrediction = ", \"prediction_type\": \"v_prediction\"";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string, string, string, double, double> Cases() => new()
    {
        // test_scheduler_euler.py
        { "euler full_loop_no_noise", "EulerDiscreteScheduler", "", 0.0131, 10.0807 },
        { "euler full_loop_with_v_prediction", "EulerDiscreteScheduler", VPrediction, 2.2676e-06, 0.0002 },
        { "euler full_loop_device_karras_sigmas", "EulerDiscreteScheduler", ", \"use_karras_sigmas\": true", 0.16213932633399963, 124.52299499511719 },
        // test_scheduler_euler_ancestral.py
        { "euler_ancestral full_loop_no_noise", "EulerAncestralDiscreteScheduler", "", 0.1983, 152.3192 },
        { "euler_ancestral full_loop_with_v_prediction", "EulerAncestralDiscreteScheduler", VPrediction, 0.1412, 108.4439 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheirLoopReproducesDiffusersTestValue(string name, string className, string keys, double expectedMean, double expectedSum)
    {
        string configPath = _folder.File("scheduler_config.json");
        File.WriteAllText(configPath, "{ \"_class_name\": \"" + className + "\", " + Config + keys + " }");
        using var model = OnnxDiffusionModel.Load(DiffusersDummy.SaveModel(_folder.File("dummy.onnx")),
            new ModelLoadOptions { Device = "cpu", SchedulerConfigPath = configPath });
        // Euler ancestral splits each step into a move and fresh noise (eta 1); Euler moves all the way (eta 0).
        double eta = className == "EulerAncestralDiscreteScheduler" ? 1 : 0;
        var options = new GenerationOptions
        {
            CustomSampler = new DiffusersEulerTestLoop(eta, vPrediction: keys == VPrediction),
            Steps = 10, Count = 4, Seed = 0, Noise = NoiseKind.Torch,
        };
        var start = Generator.PathFor(model, options)[0];
        // Their sample is dummy_sample_deter * init_noise_sigma (sigma_max itself under linspace spacing), and the
        // first scale_model_input divides by sqrt(sigma_max^2 + 1): the runtime's sample is that, times alpha.
        float scale = (float)(start.ScaledSigma * start.Alpha);
        var initial = DiffusersDummy.Sample().Select(v => v * scale).ToArray();

        var samples = Generator.Generate(model, options with { InitialNoise = initial });

        DiffusersDummy.AssertValue(name, samples.Data, expectedMean, expectedSum);
    }
}
