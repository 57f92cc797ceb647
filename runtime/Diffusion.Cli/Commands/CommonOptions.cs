using System.CommandLine;
using Diffusion.Runtime.Models;

namespace Diffusion.Cli.Commands;

/// <summary>Options every model-loading command shares.</summary>
internal static class CommonOptions
{
    /// <summary>The model sampled when --model is not given.</summary>
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", "ring-demo.onnx");

    public static Option<string> Model(bool withDefault) => new("--model", "-m")
    {
        Description = "an .onnx file or a diffusers-layout directory (model.onnx or unet/model.onnx with scheduler_config.json)",
        DefaultValueFactory = withDefault ? _ => DefaultModelPath : null,
        Required = !withDefault,
    };

    public static readonly Option<string> Device = new("--device")
    {
        Description = "auto (CUDA if it loads, else CPU), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
    };

    public static readonly Option<int?> Threads = new("--threads") { Description = "CPU threads for ONNX Runtime (default: its own choice)" };

    public static readonly Option<string?> SchedulerConfig = new("--scheduler-config")
    {
        Description = "a scheduler_config.json to use instead of the model's own",
    };

    public static void AddTo(Command command)
    {
        command.Add(Device);
        command.Add(Threads);
        command.Add(SchedulerConfig);
    }

    public static OnnxDiffusionModel Load(ParseResult result, string modelPath) =>
        OnnxDiffusionModel.Load(modelPath, new ModelLoadOptions
        {
            Device = result.GetValue(Device)!,
            Threads = result.GetValue(Threads),
            SchedulerConfigPath = result.GetValue(SchedulerConfig),
            Log = message => Console.Error.WriteLine(message),
        });
}
