using System.CommandLine;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion samplers</c>: the samplers and the options each reads.</summary>
internal static class SamplersCommand
{
    public static Command Create()
    {
        var command = new Command("samplers", "list the samplers and their options");
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            foreach (var s in SamplerRegistry.All)
            {
                string options = s.Options.Count == 0 ? "" : $"  options: {string.Join(", ", s.Options.Select(o => "--" + o))}";
                output.WriteLine($"{s.Name,-16} {s.Summary}");
                if (options.Length > 0) output.WriteLine($"{"",-16}{options}");
            }
            output.WriteLine();
            output.WriteLine($"every sampler: --steps N (any count), --spacing {string.Join("|", TimestepSpacingNames.All)}");
            output.WriteLine($"without --sampler: the one the scheduler config's diffusers _class_name names, else {SamplerRegistry.DefaultName}");
            return 0;
        });
        return command;
    }
}
