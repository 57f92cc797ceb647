using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Training.Export;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;

namespace Diffusion.Training.Tests.Export;

/// <summary>
/// A network exported with another output parameterisation (e.g. an epsilon network of a VE process
/// shipped as a score model) is the same denoiser: the runtime's x0 estimate from either file agrees.
/// </summary>
public class ExportedPredictionTests
{
    [Theory]
    [InlineData("ve", PredictionType.Epsilon, PredictionType.Score)]
    [InlineData("ve", PredictionType.Score, PredictionType.Epsilon)]
    [InlineData("ddpm", PredictionType.Epsilon, PredictionType.VPrediction)]
    [InlineData("vp", PredictionType.Epsilon, PredictionType.Sample)]
    [InlineData("subvp", PredictionType.VPrediction, PredictionType.Score)]
    public void TheConvertedModelDenoisesExactlyAsTheNetworksOwnPrediction(string objective, PredictionType trained, PredictionType exported)
    {
        var config = ObjectiveRegistry.Create(new ObjectiveOptions { Name = objective, Prediction = trained, SigmaMax = 50 }).SchedulerConfig
            with
        { DataMin = -1, DataMax = 1 };
        using var folder = new TempFolder();
        string own = folder.File("own.onnx"), converted = folder.File("converted.onnx");
        using (var generator = new Generator(5))
        using (var network = TestNetworks.Create("mlp-add", generator))
        {
            Assert.Equal(trained, OnnxExporter.Export(network, config, own).PredictionType);
            var embedded = OnnxExporter.Export(network, config, converted, prediction: exported);
            Assert.Equal(exported, embedded.PredictionType);
            Assert.Equal(config.CreateSchedule().Describe(), embedded.CreateSchedule().Describe());
        }

        var schedule = config.CreateSchedule();
        double[] times = [schedule.MinTime, 0.3 * schedule.MaxTime, schedule.MaxTime];
        var points = Array.ConvertAll(times, schedule.At);
        int n = points.Length;
        long[] shape = [n, 2, 1, 1];
        var random = new Random(3);
        float[] x = Enumerable.Range(0, 2 * n).Select(i => (float)((random.NextDouble() * 2 - 1) * (1 + points[i / 2].Sigma))).ToArray();
        float[] timestep = Array.ConvertAll(points, p => (float)config.TimestepValue(p));
        using var ownModel = new OrtModel(own);
        using var convertedModel = new OrtModel(converted);
        float[] ownOutput = ownModel.Run(x, shape, timestep, null), convertedOutput = convertedModel.Run(x, shape, timestep, null);

        Assert.NotEqual(ownOutput, convertedOutput); // the graph did convert
        for (int i = 0; i < n; i++)
        {
            var (expected, actual) = (new float[2], new float[2]);
            PredictionConversion.ToDenoised(trained, x.AsSpan(2 * i, 2), ownOutput.AsSpan(2 * i, 2), points[i], expected);
            PredictionConversion.ToDenoised(exported, x.AsSpan(2 * i, 2), convertedOutput.AsSpan(2 * i, 2), points[i], actual);
            double tolerance = 1e-5 * (1 + points[i].Sigma * points[i].Sigma / points[i].Alpha);
            for (int j = 0; j < 2; j++)
            {
                Assert.True(Math.Abs(expected[j] - actual[j]) <= tolerance,
                    $"{objective} {trained}->{exported} at sigma {points[i].Sigma:G4}: x0 {actual[j]} from the converted model, {expected[j]} from the network's own");
            }
        }
    }

    [Fact]
    public void AConversionTheGraphCannotComputeIsRefusedWithTheReason()
    {
        var config = ObjectiveRegistry.Create(new ObjectiveOptions { Name = "ddpm", TimestepInput = TimestepInput.LogSigma }).SchedulerConfig;
        using var folder = new TempFolder();
        using var generator = new Generator(5);
        using var network = TestNetworks.Create("mlp-add", generator);
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(network, config, folder.File("m.onnx"), prediction: PredictionType.Score));
        Assert.Contains("log_sigma", error.Message);
        Assert.False(File.Exists(folder.File("m.onnx")));
    }
}
