using System.CommandLine;
using Diffusion.Training.Cli.Commands;

var root = new RootCommand("diffusion-train: train diffusion models (DDPM, NCSN, score SDEs) and the evaluation classifier on libtorch, and export them to ONNX")
{
    TrainCommand.Create(),
    ExportCommand.Create(),
    EditModelCommand.Create(),
    ClassifierCommand.Create(),
    DenoiseErrorCommand.Create(),
};
// The train command handles Ctrl-C and SIGTERM itself (it saves a checkpoint first, which may take
// longer than System.CommandLine's default grace period), so that handling is switched off here.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
