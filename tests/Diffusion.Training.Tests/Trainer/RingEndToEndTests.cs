using System.Diagnostics;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Data.Toy;
using Diffusion.Training.Networks;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;
using Xunit.Abstractions;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>
/// Train an MLP on the ring of 8 Gaussians, then sample it with the runtime's generator, through the
/// libtorch network and through the exported ONNX model: most samples lie on the ring.
/// </summary>
public class RingEndToEndTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // EDM preconditioning: the network predicts the clean sample through c_skip and c_out
    public void AnMlpTrainedOnTheRingSamplesOnTheRingInLibtorchAndInOnnxRuntime(bool edm)
    {
        _ = TinyRuns.Ring; // one libtorch thread
        using var folder = new TempFolder();
        var spec = new DatasetSpec { Name = "ring", ToyCount = 20_000 };
        var data = spec.Load();
        // Variance-exploding score matching with sigma_max from the data learns the ring fastest of the objectives
        // here (DDPM needs about three times the steps for the same share on the ring).
        var objective = ScoreSdeObjective.Create("ve", sigmaMax: NoiseLevelHeuristics.MaxPairwiseDistance(data), prediction: edm ? PredictionType.Sample : null);
        var options = new TrainingOptions
        {
            Steps = 2000, BatchSize = 256, LearningRate = 5e-3, WarmupSteps = 50, EmaDecay = 0.995, Seed = 1,
            CheckpointEvery = 100_000, PreviewEvery = 0, LogEvery = 250,
        };
        // sigma_data: points on the unit circle with std 0.1 have sqrt(1/2 + 0.01) = 0.71 per coordinate.
        var network = NetworkSpec.Mlp(new MlpDenoiserConfig { HiddenWidth = 64 }) with { Preconditioning = edm ? new Preconditioning(0.71, Output: true) : null };
        var run = TrainingRun.Create(spec, data, objective, network, options);
        using var trainer = Training.Trainer.Start(run, data, folder.Path);
        var clock = Stopwatch.StartNew();
        var result = trainer.Train();
        output.WriteLine($"{result.Step} steps in {clock.Elapsed.TotalSeconds:F1} s ({result.Step / clock.Elapsed.TotalSeconds:F0} steps/s)");
        string[] curve = File.ReadAllLines(folder.File(Training.Trainer.LossLogFileName));
        output.WriteLine(string.Join(Environment.NewLine, curve));
        double firstLoss = double.Parse(curve[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        double lastLoss = double.Parse(curve[^1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(lastLoss < 0.9 * firstLoss, $"the loss went from {firstLoss} to {lastLoss}");

        var generation = new GenerationOptions { Sampler = "ddpm", Steps = 100, Count = 2000, Seed = 3 };
        var ring = new RingOfGaussians();
        clock.Restart();
        var torchSamples = Generator.Generate(trainer.DiffusionModel(), generation);
        double torchShare = RingShare(torchSamples.Data, ring);
        output.WriteLine($"libtorch: {torchShare:P1} within 3 std of a component ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.True(torchShare > 0.8, $"only {torchShare:P1} of the libtorch samples lie within 3 std of a ring component");

        string onnx = folder.File("model.onnx");
        CheckpointExport.ToOnnx(trainer.CheckpointPath, onnx);
        using var model = OnnxDiffusionModel.Load(onnx);
        Assert.Equal(trainer.Run.ModelConfig, model.Config);
        clock.Restart();
        var onnxSamples = Generator.Generate(model, generation);
        double onnxShare = RingShare(onnxSamples.Data, ring);
        double meanDifference = torchSamples.Data.Zip(onnxSamples.Data, (a, b) => Math.Abs(a - b)).Average();
        output.WriteLine($"ONNX Runtime: {onnxShare:P1} within 3 std ({clock.Elapsed.TotalSeconds:F1} s); mean |torch - onnx| = {meanDifference:G3}");
        Assert.True(onnxShare > 0.8, $"only {onnxShare:P1} of the ONNX samples lie within 3 std of a ring component");
        Assert.True(meanDifference < 1e-3, $"the ONNX model's samples differ from the libtorch network's by {meanDifference} on average");
    }

    /// <summary>The share of points within 3 standard deviations of some component's mean.</summary>
    internal static double RingShare(float[] points, RingOfGaussians ring)
    {
        int near = 0, count = points.Length / 2;
        for (int i = 0; i < count; i++)
        {
            double x = points[2 * i], y = points[2 * i + 1];
            if (ring.Means.Any(m => Math.Sqrt((x - m.X) * (x - m.X) + (y - m.Y) * (y - m.Y)) <= 3 * ring.Std)) near++;
        }
        return (double)near / count;
    }
}
