using System.CommandLine;
using Diffusion.Training.Export;

namespace Diffusion.Training.Cli.Commands;

/// <summary><c>diffusion-train edit-model</c>: a new scheduler config or a dynamic sample size for an exported model.</summary>
internal static class EditModelCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "the .onnx model to edit" };
        var output = new Option<string>("--out", "-o") { Description = "the .onnx file to write (may be the model itself; replaced only by a model that passed the checks)", Required = true };
        var config = new Option<string?>("--scheduler-config")
        {
            Description = "a scheduler_config.json to embed instead of the model's own (e.g. from diffusion info MODEL --config, edited)",
        };
        var multiple = new Option<int?>("--size-multiple")
        {
            Description = "declare the sample's height and width dynamic, in multiples of this (2 to the number of downsamplings of a UNet); " +
                "checked by running the graph at a larger size",
        };
        var guide = new Option<string?>("--guide")
        {
            Description = "an exported model of the same data, weaker than this one (smaller, or trained for less), to join as its autoguidance: " +
                "the result computes guide + w (model - guide) at twice the cost per evaluation",
        };
        var guideWeight = new Option<double?>("--guide-weight") { Description = "the autoguidance weight w (1 is the model alone; needed with --guide)" };
        var command = new Command("edit-model",
            "replace an exported model's scheduler config, make its sample size dynamic, or guide it with a weaker model, without re-exporting it")
        {
            model, output, config, multiple, guide, guideWeight,
        };
        command.SetAction(result => CliAction.Run(() =>
        {
            string path = OutputFolder.ValidateFile(result.GetValue(output), output.Name);
            string? configPath = result.GetValue(config);
            string? guidePath = result.GetValue(guide);
            double? weight = result.GetValue(guideWeight);
            if (configPath is null && result.GetValue(multiple) is null && guidePath is null)
                throw new Runtime.DiffusionRequestException("nothing to edit: give --scheduler-config FILE, --size-multiple N, --guide FILE --guide-weight W, or several.");
            if (guidePath is null != weight is null)
                throw new Runtime.DiffusionRequestException("--guide and --guide-weight go together: give the weaker model and the weight w (2 is a common start).");
            if (configPath is not null && !File.Exists(configPath))
                throw new Runtime.DiffusionRequestException($"--scheduler-config '{configPath}' does not exist: give a scheduler_config.json.");
            var edit = new ModelEditor.Edit(configPath is null ? null : File.ReadAllText(configPath), result.GetValue(multiple), guidePath, weight);
            var shape = ModelEditor.Apply(result.GetValue(model)!, path, edit);
            Console.WriteLine($"wrote {Path.GetFullPath(path)} (sample shape {shape}{(edit.SizeMultiple is { } m ? $"; other sizes in multiples of {m}" : "")}{(weight is { } w ? $"; guided by {guidePath} at w = {w}" : "")})");
            return 0;
        }));
        return command;
    }
}
