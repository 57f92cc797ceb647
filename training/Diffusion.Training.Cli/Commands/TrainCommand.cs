using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Torch.Optim;
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
        if (result.GetValue(o.Nproc) is { } nproc and not 1) return LocalLauncher.Run(o, result, nproc);
        // Keeps the activations' memory in the heap from step to step (torch.keep_freed_memory: 2.4x the images/s
        // of a 2-rank MNIST run on this machine).
        torch.keep_freed_memory();
        var planner = new RunPlanner(o, result);
        var parallelOptions = planner.Parallel();
        bool leader = parallelOptions is null or { Rank: 0 };
        string outDir = OutputFolder.Validate(result.GetValue(o.Out), o.Out.Name);
        // Claimed before anything is read or computed: a second run on the folder stops here, at once. In a
        // data-parallel run rank 0 alone writes the folder, so it alone claims it.
        using var folderLock = leader ? TrainingFolderLock.Acquire(outDir, message => Console.Error.WriteLine(message)) : null;
        // From here a SIGTERM stops the run cleanly (releasing the folder); before the first step it saves step 0.
        using var signals = new ShutdownSignals(announce: leader);
        if (leader) Runtime.IO.AtomicFile.RemoveStaleTemporaryFiles(outDir, message => Console.Error.WriteLine(message));
        using var parallel = parallelOptions is null ? null : DataParallel.Join(parallelOptions);
        try
        {
            return Train(o, result, planner, outDir, signals, parallel);
        }
        catch (DataParallelException e)
        {
            throw new DiffusionException(
                $"{e.Message} The run's last checkpoint in '{outDir}', if it wrote one, is kept: once every rank can run, continue with the same command and --resume.", e);
        }
    }

    private static int Train(TrainOptionSet o, ParseResult result, RunPlanner planner, string outDir, ShutdownSignals signals, DataParallel? parallel)
    {
        bool leader = parallel is null || parallel.IsLeader;
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
                if (leader) Console.Error.WriteLine($"the run in '{outDir}' is already at step {checkpoint.Step} of {options.Steps}: pass a larger --steps to train on.");
                return 0;
            }
            trainer = Trainer.Resume(checkpoint, dataset, outDir, options, parallel: parallel);
            if (leader) Console.Error.WriteLine($"resuming '{path}' at step {checkpoint.Step}");
        }
        else
        {
            var spec = planner.DatasetSpec();
            dataset = spec.Load();
            var run = planner.NewRun(spec, dataset);
            torch.set_num_threads(planner.Threads(dataset));
            var warmStart = result.GetValue(o.InitFrom) is { } from ? WarmStart.Read(from, run) : null;
            trainer = Trainer.Start(run, dataset, outDir, parallel: parallel, warmStart: warmStart);
            if (leader && warmStart is not null)
            {
                Console.Error.WriteLine($"starting from the weights of '{warmStart.Path}'");
                foreach (var note in warmStart.Notes) Console.Error.WriteLine($"note: {note}");
            }
        }
        using (trainer)
        {
            if (!leader)
            {
                // The other ranks train in silence: rank 0 reports for the group, and their errors still reach stderr.
                var rankEnd = trainer.Train(cancellation: signals.Token);
                return rankEnd.Outcome == TrainingOutcome.Interrupted ? CliAction.Interrupted : 0;
            }
            Describe(trainer, dataset);
            var end = TrainingConsole.Run(trainer.Step, trainer.Run.Options.LogEvery, (progress, log) => trainer.Train(progress, log, signals.Token));
            if (parallel is not null) DescribeParallel(trainer, parallel);
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

    /// <summary>The all-reduce's share of rank 0's step time, the figure that says whether more ranks pay off.</summary>
    private static void DescribeParallel(Trainer trainer, DataParallel parallel)
    {
        double step = trainer.StepTime.TotalSeconds, reduce = parallel.AllReduceTime.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data-parallel: {parallel.WorldSize} ranks; rank 0 spent {step:F2} s in training steps, {reduce:F2} s ({100 * reduce / Math.Max(step, 1e-9):F1} %) of it in all-reduce (waiting for the slowest rank included)"));
    }

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
            $"training: {options.Steps} steps, batch {options.BatchSize}{(trainer.Parallel is { } p ? $" ({p.WorldSize} ranks x {options.BatchSize / p.WorldSize})" : "")}, {options.Optimizer} lr {options.LearningRate:G3} (warm-up {options.WarmupSteps}{(options.LearningRateDecay == LearningRateDecay.Cosine ? ", cosine decay" : "")}), clip {options.GradClip?.ToString(CultureInfo.InvariantCulture) ?? "off"}, EMA {options.EmaDecay}, seed {options.Seed}, {torch.get_num_threads()} thread(s) -> {trainer.OutputDirectory}"));
    }
}
