using System.CommandLine;
using System.CommandLine.Invocation;
using Diffusion.Cli.Commands;

namespace Diffusion.Cli;

/// <summary>The <c>diffusion</c> command line: its commands, and running them with given output writers.</summary>
internal static class DiffusionCli
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Create() => new("diffusion: sample from diffusion models exported to ONNX")
    {
        SampleCommand.Create(),
        InfoCommand.Create(),
        SamplersCommand.Create(),
        BenchCommand.Create(),
        EvalCommand.Create(),
        LikelihoodCommand.Create(),
        ServeCommand.Create(),
    };

    /// <summary>
    /// Parses and runs <paramref name="args"/>, writing results to <paramref name="output"/> and
    /// messages to <paramref name="error"/>; returns the exit code. A command line that does not
    /// parse is one line on <paramref name="error"/> and exit code 1.
    /// </summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        var parse = Create().Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            string command = parse.CommandResult.Command is RootCommand ? "diffusion" : $"diffusion {parse.CommandResult.Command.Name}";
            error.WriteLine($"error: {string.Join(" ", parse.Errors.Select(e => e.Message))} See '{command} --help'.");
            return Task.FromResult(1);
        }
        return parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellation);
    }
}
