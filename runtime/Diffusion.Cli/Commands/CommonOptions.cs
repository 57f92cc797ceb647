using System.CommandLine;
using Diffusion.Runtime.Models;

namespace Diffusion.Cli.Commands;

/// <summary>Options every model-loading command shares.</summary>
internal static class CommonOptions
{
    private const string DeviceName = "--device", ThreadsName = "--threads", SchedulerConfigName = "--scheduler-config",
        HeightName = "--height", WidthName = "--width";

    /// <summary>The model sampled when --model is not given.</summary>
    public static string DefaultModelPath => Shipped("mnist-ddpm.onnx");

    /// <summary>A file of models/, which the build copies next to the binaries.</summary>
    public static string Shipped(string fileName) => Path.Combine(AppContext.BaseDirectory, "models", fileName);

    public static Option<string> Model(bool withDefault) => new("--model", "-m")
    {
        Description = "an .onnx file or a diffusers-layout directory (model.onnx or unet/model.onnx with scheduler_config.json)",
        DefaultValueFactory = withDefault ? _ => DefaultModelPath : null,
        Required = !withDefault,
    };

    /// <summary>
    /// Adds --device, --threads, --scheduler-config, --height and --width to <paramref name="command"/>: new options
    /// for every command tree, so trees built concurrently share nothing.
    /// </summary>
    public static void AddTo(Command command)
    {
        command.Add(new Option<string>(DeviceName)
        {
            Description = "auto (CUDA if it loads, else CPU), cpu, cuda or cuda:N",
            DefaultValueFactory = _ => "auto",
        });
        command.Add(new Option<int?>(ThreadsName) { Description = "CPU threads for ONNX Runtime (default: its own choice)" });
        command.Add(new Option<string?>(SchedulerConfigName) { Description = "a scheduler_config.json to use instead of the model's own" });
        command.Add(new Option<int?>(HeightName) { Description = "sample height (default: the model's; other sizes need a fully convolutional model exported with dynamic height and width)" });
        command.Add(new Option<int?>(WidthName) { Description = "sample width (default: the model's; see --height)" });
    }

    /// <summary>Loads a model with the options --device, --threads, --scheduler-config, --height and --width ask for, logging warnings to the error writer.</summary>
    public static OnnxDiffusionModel Load(ParseResult result, string modelPath) =>
        OnnxDiffusionModel.Load(modelPath, LoadOptions(result), new ErrorWriterLoggerFactory(result.InvocationConfiguration.Error));

    /// <summary>The load options --device, --threads, --scheduler-config, --height and --width ask for.</summary>
    public static ModelLoadOptions LoadOptions(ParseResult result) => new()
    {
        Device = result.GetValue<string>(DeviceName)!,
        Threads = result.GetValue<int?>(ThreadsName),
        SchedulerConfigPath = result.GetValue<string?>(SchedulerConfigName),
        Height = result.GetValue<int?>(HeightName),
        Width = result.GetValue<int?>(WidthName),
    };
}
