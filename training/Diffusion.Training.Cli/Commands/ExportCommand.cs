using System.CommandLine;
using Diffusion.Runtime.Denoising;
using Diffusion.Training.Checkpoints;

namespace Diffusion.Training.Cli.Commands;

/// <summary><c>diffusion-train export</c>: a checkpoint's network to an ONNX model the runtime samples.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "the checkpoint.safetensors a training run wrote" };
        var output = new Option<string>("--out", "-o") { Description = "the .onnx file to write (its folder is created; an existing file is replaced only by a complete one)", Required = true };
        var noEma = new Option<bool>("--no-ema") { Description = "export the raw trained weights instead of their moving average" };
        var prediction = new Option<string?>("--prediction")
        {
            Description = $"what the model outputs, if not what the network predicts: {string.Join(", ", PredictionConversion.Names)} " +
                "(converted in the graph; e.g. score from an epsilon network of a ve process)",
        };
        var command = new Command("export", "export a checkpoint's network to ONNX, with its scheduler config in the model's metadata")
        {
            checkpoint, output, noEma, prediction,
        };
        command.SetAction(result => CliAction.Run(() =>
        {
            string path = OutputFolder.ValidateFile(result.GetValue(output), output.Name);
            bool useEma = !result.GetValue(noEma);
            var target = result.GetValue(prediction) is { } name ? PredictionConversion.Parse(name) : (PredictionType?)null;
            var config = CheckpointExport.ToOnnx(result.GetValue(checkpoint)!, path, useEma, target);
            Console.WriteLine($"wrote {Path.GetFullPath(path)} ({(useEma ? "EMA" : "raw")} weights; predicts {config.PredictionType.Name()}; {config.CreateSchedule().Describe()})");
            Console.WriteLine($"sample it with: diffusion sample --model {path}");
            return 0;
        }));
        return command;
    }
}
