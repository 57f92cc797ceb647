using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;
using Diffusion.Torch;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;
using Diffusion.Training.Training;
using Generator = Diffusion.Torch.Generator;

namespace Diffusion.Training.Tests.Export;

/// <summary>
/// Input scaling (c_in = 1 / sqrt(alpha^2 sigma_data^2 + sigma^2), Karras et al. 2022) is one function in
/// training, in previews and in the exported graph: the objective feeds the network the scaled sample, and
/// the ONNX model, which takes the raw sample, denoises exactly as the libtorch network does.
/// </summary>
public class InputScalingTests
{
    private static readonly InputScaling Half = new(0.5);

    [Theory]
    [InlineData(1.0, 0.0, 0.5, 2.0)] // no noise: 1 / sigma_data
    [InlineData(1.0, 30.0, 0.5, 0.0333287046680)] // VE at sigma 30: 1 / sqrt(900.25), about 1 / sigma
    [InlineData(0.6, 0.8, 1.0, 1.0)] // VP with unit data: alpha^2 + sigma^2 = 1
    [InlineData(0.6, 0.8, 0.5, 1.1704114719613)] // 1 / sqrt(0.09 + 0.64)
    public void TheFactorIsTheInverseStandardDeviationOfTheNoisySample(double alpha, double sigma, double dataStd, double expected) =>
        Assert.Equal(expected, new InputScaling(dataStd).Factor(alpha, sigma), 1e-10);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ANonPositiveDataStdIsRefusedNamingTheOption(double dataStd)
    {
        var e = Assert.Throws<DiffusionException>(() => new InputScaling(dataStd).Validate());
        Assert.Contains("--sigma-data", e.Message);
        Assert.Throws<DiffusionException>(() => NetworkSpec.Mlp(TestNetworks.MlpAdd) with { Input = new InputScaling(dataStd) } is var spec ? spec.Build() : null);
    }

    [Fact]
    public void TheObjectiveFeedsTheNetworkTheScaledNoisySampleAndScoresItsOutputAgainstTheRawTarget()
    {
        var objective = ScoreSdeObjective.Create("ve", sigmaMin: 0.01, sigmaMax: 50, prediction: PredictionType.Epsilon);
        double[] times = [0.2, 0.9];
        float[] x0 = [1f, -2f, 0.5f, 3f], eps = [0.3f, -0.7f, 1.2f, 0.4f];
        var network = new RecordingNetwork(Half);
        double loss;
        using (torch.NewDisposeScope())
        {
            var noise = new TrainingNoise(times, torch.FromData<float>(eps, [2, 2, 1, 1]));
            loss = objective.Loss(network, torch.FromData<float>(x0, [2, 2, 1, 1]), null, noise).item<double>();
        }

        double expectedLoss = 0;
        for (int i = 0; i < 2; i++)
        {
            var point = objective.Schedule.At(times[i]);
            double scale = Half.Factor(point.Alpha, point.Sigma);
            for (int d = 0; d < 2; d++)
            {
                int k = 2 * i + d;
                double input = scale * (point.Alpha * x0[k] + point.Sigma * eps[k]);
                Assert.Equal(input, network.Inputs[k], 1e-5 * (1 + Math.Abs(input)));
                double error = RecordingNetwork.Output(input) - eps[k]; // the epsilon target of the raw x_t
                expectedLoss += 0.5 * error * error / 2;
            }
        }
        Assert.Equal(expectedLoss, loss, 1e-5);
    }

    [Theory]
    [InlineData("ve", PredictionType.Score)] // mnist-ve's export: scaling and the epsilon-to-score conversion share one noise level
    [InlineData("ve", null)]
    [InlineData("vp", null)]
    [InlineData("ddpm", PredictionType.Sample)]
    public void TheExportedGraphScalesTheRawSampleAsTheTrainingNetworkDoes(string objectiveName, PredictionType? exported)
    {
        var config = ObjectiveRegistry.Create(new ObjectiveOptions { Name = objectiveName, Prediction = PredictionType.Epsilon, SigmaMax = 50 }).SchedulerConfig
            with { DataMin = -1, DataMax = 1, ClipSample = false, InChannels = 2 };
        using var folder = new TempFolder();
        string scaledPath = folder.File("scaled.onnx"), rawPath = folder.File("raw.onnx");
        using var generator = new Generator(11);
        using var network = (NetworkSpec.Mlp(TestNetworks.MlpAdd) with { Input = Half }).Build(generator);
        network.Module.eval();
        OnnxExporter.Export(network.Module, config, scaledPath, prediction: exported, inputScaling: network.InputScaling);
        OnnxExporter.Export(network.Module, config, rawPath, prediction: exported);

        var schedule = config.CreateSchedule();
        var times = config.TimestepInput == TimestepInput.Index
            ? new[] { 0.0, 499, 999 }
            : [schedule.MinTime, 0.3 * schedule.MaxTime, schedule.MaxTime];
        var points = Array.ConvertAll(times, schedule.At);
        var random = new Random(3);
        var torchModel = new TorchDiffusionModel(network, config, new SampleShape(2, 1, 1));
        using var scaled = OnnxDiffusionModel.Load(scaledPath, new ModelLoadOptions { Device = "cpu" });
        using var raw = OnnxDiffusionModel.Load(rawPath, new ModelLoadOptions { Device = "cpu" });
        Assert.Equal("0.5", SigmaData(scaledPath));
        Assert.Null(SigmaData(rawPath));

        foreach (var point in points)
        {
            float[] x = [.. Enumerable.Range(0, 2).Select(_ => (float)((random.NextDouble() * 2 - 1) * (point.Alpha + point.Sigma)))];
            float[] expected = Denoise(torchModel, x, point), actual = Denoise(scaled, x, point), unscaled = Denoise(raw, x, point);
            double tolerance = 2e-5 * (1 + point.Sigma * point.Sigma) / point.Alpha;
            for (int j = 0; j < 2; j++)
            {
                Assert.True(Math.Abs(expected[j] - actual[j]) <= tolerance,
                    $"{objectiveName} at sigma {point.Sigma:G4}: x0 {actual[j]} from the ONNX model, {expected[j]} from libtorch");
            }
            Assert.NotEqual(unscaled, actual); // the graph did scale
        }
    }

    [Fact]
    public void ACheckpointKeepsTheInputScalingAndExportsIt()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        var run = TinyRuns.Run(data, TinyRuns.Options(4)) with { Network = TinyRuns.TinyMlp with { Input = Half } };
        using (var trainer = Training.Trainer.Start(run, data, folder.Path))
        {
            trainer.Train();
        }
        string checkpoint = Path.Combine(folder.Path, "checkpoint.safetensors");
        Assert.Equal(Half, CheckpointFile.Load(checkpoint).Run.Network.Input);

        CheckpointExport.ToOnnx(checkpoint, folder.File("model.onnx"));
        Assert.Equal("0.5", SigmaData(folder.File("model.onnx")));
    }

    private static string? SigmaData(string path)
    {
        using var model = new OrtModel(path);
        return model.Session.ModelMetadata.CustomMetadataMap.GetValueOrDefault(OnnxExporter.InputSigmaDataKey);
    }

    private static float[] Denoise(IDiffusionModel model, float[] x, TimePoint point)
    {
        var denoised = new float[x.Length];
        using var denoiser = model.CreateDenoiser(1, null, CancellationToken.None);
        denoiser.Denoise(x, point, denoised);
        return denoised;
    }

    /// <summary>out = 0.5 * input + 0.1, recording the input it was given.</summary>
    private sealed class RecordingNetwork(InputScaling scaling) : IDenoisingNetwork
    {
        public float[] Inputs { get; private set; } = [];

        public InputScaling? InputScaling => scaling;

        public static double Output(double input) => 0.5 * input + 0.1;

        public Tensor Forward(Tensor sample, Tensor timestep, Tensor? classLabels)
        {
            Inputs = sample.ToArray<float>();
            return sample * 0.5 + 0.1;
        }
    }
}
