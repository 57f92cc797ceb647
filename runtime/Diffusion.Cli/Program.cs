using System.CommandLine;
using Diffusion.Cli.Commands;

var root = new RootCommand("diffusion: sample from diffusion models exported to ONNX")
{
    SampleCommand.Create(),
    InfoCommand.Create(),
    SamplersCommand.Create(),
    BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
