using System.CommandLine;
using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Runtime.Models;
using Diffusion.Training.Evaluation;
using Diffusion.Training.Training;

namespace Diffusion.Training.Cli.Commands;

/// <summary><c>diffusion-train denoise-error</c>: an exported model's denoising error on real data, noise level by noise level.</summary>
internal static class DenoiseErrorCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "the exported .onnx model", Required = true };
        var dataset = new Option<string?>("--dataset", "-d") { Description = "the real data: mnist, ring, ... or a .npy (default: the model's 'dataset' metadata)" };
        var labels = new Option<string?>("--labels") { Description = "a .npy dataset's class labels, for class-conditional models" };
        var count = new Option<int>("--count", "-n") { Description = "images to noise and denoise, spread evenly over the dataset", DefaultValueFactory = _ => 256 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the noise", DefaultValueFactory = _ => 0 };
        var levels = new Option<string?>("--levels") { Description = $"noise-to-signal ratios sigma / alpha, comma-separated (default: {string.Join(",", DenoisingErrorProfile.DefaultLevels)})" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for ONNX Runtime", DefaultValueFactory = _ => 1 };
        var command = new Command("denoise-error",
            "measure how well an exported model denoises real data at each noise level (x0 mean squared error, beside that of the mean image)")
        {
            model, dataset, labels, count, seed, levels, threads,
        };
        command.SetAction(result => CliAction.Run(() =>
        {
            using var onnx = OnnxDiffusionModel.Load(result.GetValue(model)!, new ModelLoadOptions { Device = "cpu", Threads = result.GetValue(threads) });
            string data = result.GetValue(dataset) ?? onnx.Dataset
                ?? throw new DiffusionException($"'{onnx.ModelPath}' does not record its dataset: give --dataset.");
            var real = new DatasetSpec { Name = data, LabelsPath = result.GetValue(labels) }.Load();
            var rows = DenoisingErrorProfile.Measure(onnx, real, result.GetValue(count), result.GetValue(seed), ParseLevels(result.GetValue(levels)));
            if (rows.Count == 0)
                throw new DiffusionException($"no level lies in the model's range of sigma / alpha, {onnx.Schedule.MinScaledSigma:G3} to {onnx.Schedule.MaxScaledSigma:G3}: choose --levels inside it.");
            Console.WriteLine($"{result.GetValue(model)} on {real.Name}, {result.GetValue(count)} images; x0 error per value; mean image: {rows[0].MeanImageMse:F4}");
            Console.WriteLine("sigma/alpha        time     x0 MSE   / mean image");
            foreach (var r in rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.ScaledSigma,11:G4} {r.Time,11:G5} {r.DenoisedMse,10:G4} {r.RelativeToMeanImage,12:G3}"));
            return 0;
        }));
        return command;
    }

    private static IReadOnlyList<double>? ParseLevels(string? text) => text?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v : throw new DiffusionException($"--levels: '{s}' is not a number; give ratios like 0.1,1,10."))
        .ToArray();
}
