using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;
using Diffusion.Torch;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Export;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;
using Diffusion.Training.Training;
using Generator = Diffusion.Torch.Generator;

namespace Diffusion.Training.Tests.Export;

/// <summary>
/// Preconditioning (Karras et al. 2022, Table 1) is one function in training, in previews and in the exported
/// graph: its factors are EDM's, the objective feeds the network the scaled sample and scores EDM's F target,
/// and the ONNX model, which takes the raw sample, denoises exactly as the libtorch network does.
/// </summary>
public class PreconditioningTests
{
    private static readonly Preconditioning Input = new(0.5), Edm = new(0.5, Output: true);

    [Theory]
    [InlineData(0.0, 2.0, 1.0, 0.0)] // no noise: D = x
    [InlineData(0.5, 1.4142135623731, 0.5, 0.35355339059327)] // sigma = sigma_data
    [InlineData(30.0, 0.0333287046680, 0.000277700638711, 0.4999305700198)] // large sigma: D = about sigma_data F
    public void TheFactorsAreEdmsForAVarianceExplodingProcess(double sigma, double cIn, double cSkip, double cOut)
    {
        Assert.Equal(cIn, Edm.InputFactor(1, sigma), 1e-9);
        Assert.Equal(cSkip, Edm.SkipFactor(1, sigma), 1e-9);
        Assert.Equal(cOut, Edm.OutputFactor(1, sigma), 1e-9);
    }

    [Theory]
    [InlineData(0.6, 0.8, 0.5)]
    [InlineData(0.995, 0.0999, 1.0)]
    [InlineData(0.01, 0.99995, 0.3)]
    [InlineData(1.0, 50.0, 0.5)]
    public void TheNetworksInputAndTargetHaveUnitVarianceAtEveryNoiseLevel(double alpha, double sigma, double sigmaData)
    {
        // x = alpha x0 + sigma eps with Var x0 = sigma_data^2: the input c_in x / alpha has variance 1 (EDM's first
        // requirement), and so has the F target (x0 - c_skip x / alpha) / c_out (their second).
        var p = new Preconditioning(sigmaData, Output: true);
        double input = p.InputFactor(alpha, sigma);
        Assert.Equal(1, input * input * (alpha * alpha * sigmaData * sigmaData + sigma * sigma), 1e-9);
        double skip = p.SkipFactor(alpha, sigma), output = p.OutputFactor(alpha, sigma);
        double x0Weight = 1 - skip * alpha, noiseWeight = skip * sigma; // x0 - skip x = (1 - skip alpha) x0 - skip sigma eps
        Assert.Equal(1, (x0Weight * x0Weight * sigmaData * sigmaData + noiseWeight * noiseWeight) / (output * output), 1e-9);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ANonPositiveSigmaDataIsRefusedNamingTheOption(double sigmaData)
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => new Preconditioning(sigmaData).Validate());
        Assert.Contains("--sigma-data", e.Message);
        var spec = NetworkSpec.Mlp(TestNetworks.MlpAdd) with { Preconditioning = new Preconditioning(sigmaData) };
        Assert.ThrowsAny<DiffusionException>(() => spec.Build());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheObjectiveFeedsTheNetworkTheScaledSampleAndScoresTheRightTarget(bool output)
    {
        var preconditioning = output ? Edm : Input;
        var objective = ScoreSdeObjective.Create("ve", sigmaMin: 0.01, sigmaMax: 50, prediction: output ? PredictionType.Sample : PredictionType.Epsilon);
        double[] times = [0.2, 0.9];
        float[] x0 = [1f, -2f, 0.5f, 3f], eps = [0.3f, -0.7f, 1.2f, 0.4f];
        var network = new RecordingNetwork(preconditioning);
        double loss = Loss(objective, network, times, x0, eps);

        double expectedLoss = 0;
        for (int i = 0; i < 2; i++)
        {
            var (alpha, sigma) = (objective.Schedule.At(times[i]).Alpha, objective.Schedule.At(times[i]).Sigma);
            for (int d = 0; d < 2; d++)
            {
                int k = 2 * i + d;
                double x = alpha * x0[k] + sigma * eps[k], input = preconditioning.InputFactor(alpha, sigma) * x;
                Assert.Equal(input, network.Inputs[k], 1e-5 * (1 + Math.Abs(input)));
                double target = output
                    ? (x0[k] - preconditioning.SkipFactor(alpha, sigma) * x) / preconditioning.OutputFactor(alpha, sigma) // EDM's F
                    : eps[k]; // the epsilon of the raw x_t
                double error = RecordingNetwork.Output(input) - target;
                expectedLoss += 0.5 * error * error / 2;
            }
        }
        Assert.Equal(expectedLoss, loss, 1e-5 * (1 + expectedLoss));
    }

    [Fact]
    public void OutputPreconditioningWithAnotherPredictionIsRefused()
    {
        var objective = ScoreSdeObjective.Create("ve", prediction: PredictionType.Epsilon);
        var e = Assert.ThrowsAny<DiffusionException>(() => Loss(objective, new RecordingNetwork(Edm), [0.5], [1f, 2f], [0f, 1f]));
        Assert.Contains("--prediction sample", e.Message);
    }

    [Theory]
    [InlineData("ve", false, PredictionType.Epsilon, PredictionType.Score)] // mnist-ve's export: scaling and conversion share one noise level
    [InlineData("ve", false, PredictionType.Epsilon, null)]
    [InlineData("vp", false, PredictionType.Epsilon, null)]
    [InlineData("ddpm", false, PredictionType.Epsilon, PredictionType.Sample)]
    [InlineData("ve", true, PredictionType.Sample, PredictionType.Score)]
    [InlineData("vp", true, PredictionType.Sample, null)]
    [InlineData("ddpm", true, PredictionType.Sample, PredictionType.Epsilon)]
    public void TheExportedGraphPreconditionsTheRawSampleAsTheTrainingNetworkDoes(string objectiveName, bool output, PredictionType trained, PredictionType? exported)
    {
        var config = ObjectiveRegistry.Create(new ObjectiveOptions { Name = objectiveName, Prediction = trained, SigmaMax = 50 }).SchedulerConfig
            with
        { DataMin = -1, DataMax = 1, ClipSample = false, InChannels = 2 };
        using var folder = new TempFolder();
        string preconditionedPath = folder.File("preconditioned.onnx"), rawPath = folder.File("raw.onnx");
        using var generator = new Generator(11);
        using var network = (NetworkSpec.Mlp(TestNetworks.MlpAdd) with { Preconditioning = output ? Edm : Input }).Build(generator);
        network.Module.eval();
        OnnxExporter.Export(network.Module, config, preconditionedPath, prediction: exported, preconditioning: network.Preconditioning);
        OnnxExporter.Export(network.Module, config, rawPath, prediction: exported);
        Assert.Equal("0.5", SigmaData(preconditionedPath));
        Assert.Null(SigmaData(rawPath));

        var schedule = config.CreateSchedule();
        var times = config.TimestepInput == TimestepInput.Index
            ? new[] { 0.0, 499, 999 }
            : [schedule.MinTime, 0.3 * schedule.MaxTime, schedule.MaxTime];
        var random = new Random(3);
        var torchModel = new TorchDiffusionModel(network, config, new SampleShape(2, 1, 1));
        using var preconditioned = OnnxDiffusionModel.Load(preconditionedPath, new ModelLoadOptions { Device = "cpu" });
        using var raw = OnnxDiffusionModel.Load(rawPath, new ModelLoadOptions { Device = "cpu" });
        foreach (var point in Array.ConvertAll(times, schedule.At))
        {
            float[] x = [.. Enumerable.Range(0, 2).Select(_ => (float)((random.NextDouble() * 2 - 1) * (point.Alpha + point.Sigma)))];
            float[] expected = Denoise(torchModel, x, point), actual = Denoise(preconditioned, x, point), unscaled = Denoise(raw, x, point);
            double tolerance = 2e-5 * (1 + point.Sigma * point.Sigma) / point.Alpha;
            for (int j = 0; j < 2; j++)
            {
                Assert.True(Math.Abs(expected[j] - actual[j]) <= tolerance,
                    $"{objectiveName} at sigma {point.Sigma:G4}: x0 {actual[j]} from the ONNX model, {expected[j]} from libtorch");
            }
            Assert.NotEqual(unscaled, actual); // the graph did precondition
        }
    }

    [Fact]
    public void ExportingOutputPreconditioningOfANetworkThatPredictsNoiseIsRefused()
    {
        var config = ObjectiveRegistry.Create(new ObjectiveOptions { Name = "ve", Prediction = PredictionType.Epsilon, SigmaMax = 50 }).SchedulerConfig;
        using var folder = new TempFolder();
        using var generator = new Generator(11);
        using var network = TestNetworks.Create("mlp-add", generator);
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(network, config, folder.File("m.onnx"), preconditioning: Edm));
        Assert.Contains("clean sample", e.Message);
        Assert.False(File.Exists(folder.File("m.onnx")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACheckpointKeepsThePreconditioningAndExportsIt(bool output)
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        var preconditioning = output ? Edm : Input;
        var objective = DdpmObjective.Create(100, prediction: output ? PredictionType.Sample : PredictionType.Epsilon);
        var run = TinyRuns.Run(data, TinyRuns.Options(4), objective) with { Network = TinyRuns.TinyMlp with { Preconditioning = preconditioning } };
        using (var trainer = Training.Trainer.Start(run, data, folder.Path))
        {
            trainer.Train();
        }
        string checkpoint = Path.Combine(folder.Path, "checkpoint.safetensors");
        Assert.Equal(preconditioning, CheckpointFile.Load(checkpoint).Run.Network.Preconditioning);

        CheckpointExport.ToOnnx(checkpoint, folder.File("model.onnx"));
        Assert.Equal("0.5", SigmaData(folder.File("model.onnx")));
    }

    private static double Loss(IObjective objective, IDenoisingNetwork network, double[] times, float[] x0, float[] eps)
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [times.Length, x0.Length / times.Length, 1, 1];
        return objective.Loss(network, torch.FromData<float>(x0, shape), null, new TrainingNoise(times, torch.FromData<float>(eps, shape))).item<double>();
    }

    private static string? SigmaData(string path)
    {
        using var model = new OrtModel(path);
        return model.Session.ModelMetadata.CustomMetadataMap.GetValueOrDefault(OnnxExporter.SigmaDataKey);
    }

    private static float[] Denoise(IDiffusionModel model, float[] x, TimePoint point)
    {
        var denoised = new float[x.Length];
        using var denoiser = model.CreateDenoiser(1, null, CancellationToken.None);
        denoiser.Denoise(x, point, denoised);
        return denoised;
    }

    /// <summary>out = 0.5 * input + 0.1, recording the input it was given.</summary>
    private sealed class RecordingNetwork(Preconditioning preconditioning) : IDenoisingNetwork
    {
        public float[] Inputs { get; private set; } = [];

        public Preconditioning? Preconditioning => preconditioning;

        public static double Output(double input) => 0.5 * input + 0.1;

        public Tensor Forward(Tensor sample, Tensor timestep, Tensor? classLabels)
        {
            Inputs = sample.ToArray<float>();
            return sample * 0.5 + 0.1;
        }
    }
}
