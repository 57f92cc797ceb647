using System.CommandLine;
using System.Diagnostics;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Imaging;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion sample</c>: generate samples and write them as .npy or .png.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(withDefault: true);
        var generation = new GenerationOptionSet(sweep: false, defaultCount: 16);
        var output = new Option<string>("--out", "-o") { Description = "output file: .png (image grid, or scatter plot for 2-D data) or .npy (float32 [N,C,H,W])", DefaultValueFactory = _ => "samples.png" };
        var init = new Option<string?>("--init") { Description = "starting noise as a .npy of standard normal values [N,C,H,W], instead of drawn noise" };

        var command = new Command("sample", "generate samples from a model") { model };
        generation.AddTo(command);
        command.Add(output);
        command.Add(init);
        CommonOptions.AddTo(command);
        command.SetAction((result, cancellation) => Task.FromResult(CliAction.Run(result, () =>
        {
            var (stdout, stderr) = (result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            string outPath = result.GetValue(output)!;
            var format = OutputFormat.FromPath(outPath, stderr);
            using var loaded = CommonOptions.Load(result, result.GetValue(model)!);
            int count = generation.Count(result);
            var options = generation.Read(result, generation.Samplers(result, loaded.Config)[0], generation.StepCounts(result)[0], loaded.Config.NumClasses) with
            {
                InitialNoise = result.GetValue(init) is { } initPath ? ReadInitialNoise(initPath, count, loaded.SampleShape) : (ReadOnlyMemory<float>?)null,
            };
            stderr.WriteLine($"model {loaded.ModelPath} on {loaded.Device}: {loaded.Schedule.Describe()}");
            var clock = Stopwatch.StartNew();
            var samples = ConsoleProgress.Run($"{options.Sampler}, {options.Steps} steps", stderr, progress =>
                Generator.Generate(loaded, options, progress, cancellation));
            clock.Stop();
            format.Write(outPath, samples, loaded.Config, SamplePictures.Describe(Path.GetFileName(loaded.ModelPath), samples));
            stdout.WriteLine($"wrote {samples.Count} samples to {Path.GetFullPath(outPath)} " +
                $"({options.Sampler}, {options.Steps} steps, {samples.ModelEvaluations} model evaluations, {clock.Elapsed.TotalSeconds:F2} s)");
            return 0;
        })));
        return command;
    }

    private static ReadOnlyMemory<float> ReadInitialNoise(string path, int count, SampleShape shape)
    {
        var array = NpyFile.Read(path);
        int[] expected = [count, shape.Channels, shape.Height, shape.Width];
        if (!array.Shape.SequenceEqual(expected))
            throw new DiffusionException(
                $"--init {path} has shape [{string.Join(", ", array.Shape)}], but {count} samples of this model need [{string.Join(", ", expected)}].");
        return array.Data;
    }
}
