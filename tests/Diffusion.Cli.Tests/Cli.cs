using Diffusion.Cli;

namespace Diffusion.Cli.Tests;

/// <summary>Runs the <c>diffusion</c> command line in process and captures what it writes.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await DiffusionCli.InvokeAsync(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>The model used when <c>--model</c> is not given, copied next to the binaries.</summary>
    public static string DemoModel => Path.Combine(AppContext.BaseDirectory, "models", "ring-demo.onnx");

    /// <summary>The model `diffusion sample` uses when --model is not given.</summary>
    public static string DefaultModel => Path.Combine(AppContext.BaseDirectory, "models", "mnist-ddpm.onnx");
}
