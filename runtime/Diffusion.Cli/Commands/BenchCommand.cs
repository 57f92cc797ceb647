using System.CommandLine;
using Diffusion.Runtime.Benchmarking;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion bench</c>: sampler overhead over the bare model call, and allocations per step.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(withDefault: true);
        var sampler = new Option<string>("--sampler", "-s") { Description = "sampler to time", DefaultValueFactory = _ => "ddim" };
        var steps = new Option<int>("--steps") { Description = "steps of the timed run", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 8 };
        var rounds = new Option<int>("--rounds") { Description = "rounds of (raw calls, one generation); the median ratio is reported", DefaultValueFactory = _ => 5 };
        var command = new Command("bench", "time a sampler against the bare InferenceSession call") { model, sampler, steps, batch, rounds };
        CommonOptions.AddTo(command);
        command.SetAction(result => CliAction.Run(result, () =>
        {
            var output = result.InvocationConfiguration.Output;
            using var m = CommonOptions.Load(result, result.GetValue(model)!);
            var r = SamplerBenchmark.Run(m, result.GetValue(sampler)!, result.GetValue(steps), result.GetValue(batch), result.GetValue(rounds));
            output.WriteLine($"model {m.ModelPath} on {m.Device}, batch {result.GetValue(batch)}, sampler {result.GetValue(sampler)}, {result.GetValue(steps)} steps");
            output.WriteLine($"raw InferenceSession.Run:   {r.RawMillisecondsPerCall,10:F3} ms per call");
            output.WriteLine($"sampler:                    {r.SamplerMillisecondsPerStep,10:F3} ms per step ({r.EvaluationsPerStep:G3} model evaluations per step on average)");
            output.WriteLine($"ratio (per evaluation):     {r.Ratio,10:F3}   (rounds: {string.Join(", ", r.RoundRatios.Select(x => x.ToString("F3")))})");
            output.WriteLine($"managed bytes per step:     {r.BytesAllocatedPerStep,10:F0}");
            return 0;
        }));
        return command;
    }
}
