using System.CommandLine;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion info MODEL</c>: what the runtime understood of a model.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "an .onnx file or a diffusers-layout directory" };
        var configOnly = new Option<bool>("--config")
        {
            Description = "print only the scheduler config the runtime uses, as scheduler_config.json (every key written out): edit it and pass it back with --scheduler-config",
        };
        var command = new Command("info", "print a model's inputs, outputs, schedule and meaning") { model, configOnly };
        CommonOptions.AddTo(command);
        command.SetAction(result => CliAction.Run(result, () =>
        {
            var output = result.InvocationConfiguration.Output;
            using var m = CommonOptions.Load(result, result.GetValue(model)!);
            var c = m.Config;
            if (result.GetValue(configOnly))
            {
                output.WriteLine(c.ToJson());
                return 0;
            }
            output.WriteLine($"model:        {m.ModelPath}");
            output.WriteLine($"device:       {m.Device}");
            foreach (var input in m.Inputs) output.WriteLine($"input:        {input}");
            foreach (var o in m.Outputs) output.WriteLine($"output:       {o}{(o == m.Output ? "" : " (unused)")}");
            output.WriteLine($"sample shape: {m.SampleShape}{(m.FixedBatchSize is { } b ? $", batch fixed at {b}" : ", dynamic batch")}");
            output.WriteLine($"config:       {m.ConfigSource}{(c.ClassName is { } name ? $" ({name})" : "")}");
            output.WriteLine($"schedule:     {m.Schedule.Describe()}");
            output.WriteLine($"prediction:   {c.PredictionType.Name()}");
            output.WriteLine($"timestep:     {TimestepMeaning(c)}, fed as {m.TimestepInput.TypeName}{(m.IntegerTimesteps ? " (rounded to whole numbers)" : "")}");
            output.WriteLine($"spacing:      {c.TimestepSpacing.Name()} (default), steps_offset {c.StepsOffset}");
            output.WriteLine($"clip sample:  {(c.ClipSample ? $"to +-{c.ClipSampleRange}" : "no")}");
            output.WriteLine($"data range:   [{c.DataMin}, {c.DataMax}]");
            output.WriteLine($"dataset:      {m.Dataset ?? "not recorded (diffusion eval needs --reference)"}");
            output.WriteLine($"classes:      {(c.NumClasses == 0 ? "none (unconditional)" : $"{c.NumClasses}{(c.NullClassLabel is { } n ? $", null label {n}" : "")}")}");
            return 0;
        }));
        return command;
    }

    private static string TimestepMeaning(SchedulerConfig c)
    {
        string meaning = c.TimestepInput switch
        {
            TimestepInput.Index => $"training index in [0, {c.NumTrainTimesteps - 1}]",
            TimestepInput.Time => "continuous time t in [0, 1]",
            TimestepInput.Sigma => "noise level sigma",
            _ => "log of the noise level sigma",
        };
        return c.TimestepScale == 1 ? meaning : $"{meaning} times {c.TimestepScale}";
    }
}
