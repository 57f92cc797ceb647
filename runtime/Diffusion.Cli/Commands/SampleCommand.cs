using System.CommandLine;
using System.Diagnostics;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Samplers;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion sample</c>: generate samples and write them as .npy or .png.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(withDefault: true);
        var sampler = new Option<string>("--sampler", "-s")
        {
            Description = $"sampler: {string.Join(", ", SamplerRegistry.All.Select(s => s.Name))}",
            DefaultValueFactory = _ => "ddim",
        };
        var steps = new Option<int>("--steps") { Description = "number of steps (noise levels for langevin)", DefaultValueFactory = _ => 50 };
        var count = new Option<int>("--count", "-n") { Description = "number of samples", DefaultValueFactory = _ => 16 };
        var seed = new Option<ulong>("--seed") { Description = "random seed; sample i depends only on (seed, i)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "output file: .png (image grid, or scatter plot for 2-D data) or .npy (float32 [N,C,H,W])", DefaultValueFactory = _ => "samples.png" };
        var batch = new Option<int?>("--batch") { Description = $"samples per model call (bounds memory; default all, at most {Generator.DefaultMaxBatch})" };
        var spacing = new Option<string?>("--spacing") { Description = $"timestep spacing: {string.Join(", ", TimestepSpacingNames.All)} (default: the model's config)" };
        var init = new Option<string?>("--init") { Description = "starting noise as a .npy of standard normal values [N,C,H,W], instead of drawn noise" };
        var classLabel = new Option<int?>("--class") { Description = "class label for a class-conditional model" };
        var guidance = new Option<double>("--guidance") { Description = "classifier-free guidance weight with --class: 1 conditional only, >1 sharpens, 0 unconditional", DefaultValueFactory = _ => 1 };
        var eta = new Option<double>("--eta") { Description = "ddim: noise share in [0, 1]", DefaultValueFactory = _ => 0 };
        var variance = new Option<string?>("--variance") { Description = "ddpm: fixed_small or fixed_large (default: the model's config)" };
        var snr = new Option<double?>("--snr") { Description = "pc: Langevin corrector signal-to-noise ratio (default: config, else 0.16)" };
        var correctorSteps = new Option<int>("--corrector-steps") { Description = "pc: corrector steps per step", DefaultValueFactory = _ => 1 };
        var predictor = new Option<string>("--predictor") { Description = "pc: reverse_diffusion or euler_maruyama", DefaultValueFactory = _ => "reverse_diffusion" };
        var langevinSteps = new Option<int>("--langevin-steps") { Description = "langevin: steps per noise level", DefaultValueFactory = _ => 10 };
        var stepSize = new Option<double>("--step-size") { Description = "langevin: relative step, a step at noise level sigma moves with step-size * sigma^2", DefaultValueFactory = _ => 0.2 };

        var command = new Command("sample", "generate samples from a model")
        {
            model, sampler, steps, count, seed, output, batch, spacing, init, classLabel, guidance,
            eta, variance, snr, correctorSteps, predictor, langevinSteps, stepSize,
        };
        CommonOptions.AddTo(command);
        command.SetAction((result, cancellation) => Task.FromResult(CliAction.Run(result, () =>
        {
            var (stdout, stderr) = (result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            string outPath = result.GetValue(output)!;
            var format = OutputFormat.FromPath(outPath);
            using var loaded = CommonOptions.Load(result, result.GetValue(model)!);
            var options = new GenerationOptions
            {
                Sampler = result.GetValue(sampler)!,
                Steps = result.GetValue(steps),
                Count = result.GetValue(count),
                Seed = result.GetValue(seed),
                BatchSize = result.GetValue(batch),
                Spacing = result.GetValue(spacing) is { } s ? TimestepSpacingNames.Parse(s) : null,
                ClassLabel = result.GetValue(classLabel),
                GuidanceScale = result.GetValue(guidance),
                InitialNoise = result.GetValue(init) is { } initPath ? ReadInitialNoise(initPath, result.GetValue(count), loaded.SampleShape) : (ReadOnlyMemory<float>?)null,
                Settings = new SamplerSettings
                {
                    Eta = result.GetValue(eta),
                    VarianceType = result.GetValue(variance),
                    Snr = result.GetValue(snr),
                    CorrectorSteps = result.GetValue(correctorSteps),
                    Predictor = result.GetValue(predictor)!,
                    LangevinSteps = result.GetValue(langevinSteps),
                    StepSize = result.GetValue(stepSize),
                },
            };
            stderr.WriteLine($"model {loaded.ModelPath} on {loaded.Device}: {loaded.Schedule.Describe()}");
            var clock = Stopwatch.StartNew();
            var samples = ConsoleProgress.Run($"{options.Sampler}, {options.Steps} steps", stderr, progress =>
                Generator.Generate(loaded, options, progress, cancellation));
            clock.Stop();
            format.Write(outPath, samples, loaded.Config);
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
