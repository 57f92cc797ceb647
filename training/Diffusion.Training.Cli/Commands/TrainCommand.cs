using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Data;
using Diffusion.Training.Training;

namespace Diffusion.Training.Cli.Commands;

/// <summary><c>diffusion-train train</c>: a new run, or the continuation of one (--resume).</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var o = new TrainOptionSet();
        var command = new Command("train",
            "train a denoising network on a dataset; writes checkpoint.safetensors, preview-STEP.png and loss.csv to --out. " +
            "Ctrl-C or SIGTERM saves a checkpoint before exiting; --resume continues it exactly.");
        foreach (var option in o.All) command.Add(option);
        command.SetAction(result => CliAction.Run(() => Train(o, result)));
        return command;
    }

    private static int Train(TrainOptionSet o, ParseResult result)
    {
        var planner = new RunPlanner(o, result);
        string outDir = OutputFolder.Validate(result.GetValue(o.Out), o.Out.Name);
        // Claimed before anything is read or computed: a second run on the folder stops here, at once.
        using var folderLock = TrainingFolderLock.Acquire(outDir, message => Console.Error.WriteLine(message));
        // From here a SIGTERM stops the run cleanly (releasing the folder); before the first step it saves step 0.
        using var signals = new ShutdownSignals();
        Runtime.IO.AtomicFile.RemoveStaleTemporaryFiles(outDir, message => Console.Error.WriteLine(message));
        Dataset dataset;
        Trainer trainer;
        if (result.GetValue(o.Resume))
        {
            string path = Path.Combine(outDir, Trainer.CheckpointFileName);
            var checkpoint = CheckpointFile.Load(path);
            var options = planner.ResumedOptions(checkpoint.Run);
            dataset = checkpoint.Run.Dataset.Load();
            torch.set_num_threads(planner.Threads(dataset));
            if (checkpoint.Step >= options.Steps)
            {
                Console.Error.WriteLine($"the run in '{outDir}' is already at step {checkpoint.Step} of {options.Steps}: pass a larger --steps to train on.");
                return 0;
            }
            trainer = Trainer.Resume(checkpoint, dataset, outDir, options);
            Console.Error.WriteLine($"resuming '{path}' at step {checkpoint.Step}");
        }
        else
        {
            var spec = planner.DatasetSpec();
            dataset = spec.Load();
            var run = planner.NewRun(spec, dataset);
            torch.set_num_threads(planner.Threads(dataset));
            trainer = Trainer.Start(run, dataset, outDir);
        }
        using (trainer)
        {
            Describe(trainer, dataset);
            var end = TrainingConsole.Run(trainer.Step, trainer.Run.Options.LogEvery, (progress, log) => trainer.Train(progress, log, signals.Token));
            string loss = end.Loss is { } l ? l.ToString("F4", CultureInfo.InvariantCulture) : "-";
            if (end.Outcome == TrainingOutcome.Interrupted)
            {
                Console.Error.WriteLine($"interrupted at step {end.Step} (loss {loss}); checkpoint saved to {end.CheckpointPath}");
                Console.Error.WriteLine($"continue with: diffusion-train train --out {outDir} --resume");
                return CliAction.Interrupted;
            }
            Console.WriteLine($"trained {end.Step} steps (last loss {loss}); checkpoint {end.CheckpointPath}");
            Console.WriteLine($"export with: diffusion-train export {end.CheckpointPath} --out {Path.Combine(outDir, "model.onnx")}");
            return 0;
        }
    }

    /// <summary>The config's own name for its timestep input (index, t, sigma, log_sigma), as its JSON writes it.</summary>
    private static string TimestepInputName(SchedulerConfig config) => JsonNode.Parse(config.ToJson())!["timestep_input"]!.GetValue<string>();

    private static void Describe(Trainer trainer, Dataset dataset)
    {
        var run = trainer.Run;
        var config = run.ModelConfig;
        var options = run.Options;
        long parameters = trainer.Model.Parameters.Sum(p => p.parameter.numel());
        Console.Error.WriteLine($"data: {dataset}");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"objective: {run.Objective}, predicts {config.PredictionType.Name()}, timestep input {TimestepInputName(config)} x {config.TimestepScale:G4}; {config.CreateSchedule().Describe()}; {run.NoiseLevels}"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"network: {run.Network.Kind}, {parameters:N0} parameters{(config.NumClasses > 0 ? $", {config.NumClasses} classes + null label (dropout {options.LabelDropout})" : "")}"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training: {options.Steps} steps, batch {options.BatchSize}, {options.Optimizer} lr {options.LearningRate:G3} (warm-up {options.WarmupSteps}), clip {options.GradClip?.ToString(CultureInfo.InvariantCulture) ?? "off"}, EMA {options.EmaDecay}, seed {options.Seed}, {torch.get_num_threads()} thread(s) -> {trainer.OutputDirectory}"));
    }
}
