using System.Diagnostics;
using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Torch;
using Diffusion.Torch.Optim;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Data;
using Diffusion.Training.Data.Sampling;
using Diffusion.Training.Objectives;
using SampleShape = Diffusion.Runtime.Generation.SampleShape;

namespace Diffusion.Training.Training;

/// <summary>
/// Trains a network on a dataset with an objective: minibatches from a <see cref="MinibatchSampler"/>,
/// Adam or AdamW with linear warm-up (then a constant or cosine rate) and gradient clipping, an exponential
/// moving average of the weights, one dispose scope per step (memory stays flat), checkpoints written atomically
/// every K steps, at the end and on cancellation, previews drawn by the runtime's own samplers, and a stop at the
/// first NaN or infinite loss or gradient that leaves the last good checkpoint alone.
/// A resumed run continues exactly: every step's randomness derives from (seed, step).
/// With a <see cref="DataParallel"/> group, each rank trains on its shard of every global minibatch (the same
/// minibatch, times and noise one process would draw), the gradients are averaged over the ranks before the
/// optimizer step, and only rank 0 writes checkpoints, previews and the loss log.
/// </summary>
public sealed partial class Trainer : IDisposable
{
    /// <summary>The checkpoint's file name in the output folder.</summary>
    public const string CheckpointFileName = "checkpoint.safetensors";

    /// <summary>The loss curve's file name in the output folder.</summary>
    public const string LossLogFileName = "loss.csv";

    private readonly Dataset dataset;
    private readonly IObjective objective;
    private readonly Adam optimizer;
    private readonly LearningRateSchedule schedule;
    private readonly ExponentialMovingAverage ema;
    private readonly MinibatchSampler sampler;
    private readonly LossLog? lossLog;
    private readonly DataParallel? parallel;
    private readonly int shardStart;
    private readonly int[] indices;
    private readonly int[] shardIndices;
    private readonly float[] batch;
    private readonly int[] batchLabels;
    private readonly long[] batchShape;
    private readonly long[] globalShape;
    private readonly Stopwatch stepClock = new();
    private long savedStep = -1;
    private double? lastLoss;

    private Trainer(TrainingRun run, Dataset dataset, string outputDirectory, IObjective? objective, Checkpoint? resumeFrom, DataParallel? parallel, WarmStart? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        run.Options.Validate();
        Run = run;
        this.parallel = parallel;
        var (start, count) = parallel?.Shard(run.Options.BatchSize) ?? (0, run.Options.BatchSize);
        shardStart = start;
        this.dataset = dataset;
        this.objective = objective ?? ObjectiveRegistry.Restore(run.Objective, run.ModelConfig, run.NoiseLevels);
        OutputDirectory = outputDirectory;
        CheckpointPath = Path.Combine(outputDirectory, CheckpointFileName);
        SampleShape = new SampleShape(dataset.Channels, dataset.Height, dataset.Width);
        CheckData();

        var options = run.Options;
        ulong initSeed = StepRandomness.Seed(options.Seed, 0, StepRandomness.InitStream);
        using (var init = new Generator(initSeed)) Model = run.Network.Build(init);
        using (var init = new Generator(initSeed)) EmaModel = run.Network.Build(init);
        try
        {
            Model.CheckAccepts(SampleShape);
            CheckClasses();
            EmaModel.Module.eval();
            optimizer = options.Optimizer == "adamw"
                ? new AdamW(Model.Parameters.Select(p => p.parameter), options.LearningRate, weightDecay: options.WeightDecay)
                : new Adam(Model.Parameters.Select(p => p.parameter), options.LearningRate, weightDecay: options.WeightDecay);
            schedule = new LearningRateSchedule(optimizer, options.WarmupSteps, options.LearningRateDecay, options.Steps);
            ema = new ExponentialMovingAverage(Model, EmaModel, options.EmaDecay);
            if (resumeFrom is null)
            {
                if (warmStart is not null)
                    ParameterTensors.Load(Model.Parameters, warmStart.WeightsFor(Model), $"the weights of '{warmStart.Path}'");
                ema.Reset();
                sampler = new MinibatchSampler(dataset.Count, options.BatchSize, unchecked((long)options.Seed));
            }
            else
            {
                Restore(resumeFrom);
                sampler = MinibatchSampler.Resume(dataset.Count, options.BatchSize, resumeFrom.Sampler);
                Step = resumeFrom.Step;
                lastLoss = resumeFrom.Loss;
                savedStep = Step;
            }
            if (IsLeader)
            {
                Directory.CreateDirectory(outputDirectory);
                lossLog = new LossLog(Path.Combine(outputDirectory, LossLogFileName));
                lossLog.Open(resumeFrom?.Step);
            }
            parallel?.RequireSame(StartState(), "starting states (step, batch, seed, learning rate or weights)",
                "every rank must run the same command on the same data, and a resumed run must read the same checkpoint on every machine.");
        }
        catch
        {
            Dispose();
            throw;
        }
        indices = new int[options.BatchSize];
        shardIndices = new int[count];
        batch = new float[count * dataset.SampleSize];
        batchLabels = new int[count];
        batchShape = [count, dataset.Channels, dataset.Height, dataset.Width];
        globalShape = [options.BatchSize, dataset.Channels, dataset.Height, dataset.Width];
    }

    /// <summary>What must agree across ranks before the first step: the step, what shapes a step, and the weights.</summary>
    private double[] StartState()
    {
        var options = Run.Options;
        double sum = 0, squares = 0;
        foreach (var (_, parameter) in Model.Parameters)
        {
            foreach (float w in parameter.ToArray<float>())
            {
                sum += w;
                squares += (double)w * w;
            }
        }
        return [Step, options.BatchSize, options.Seed & 0xFFFFFFFF, options.Seed >> 32, options.LearningRate, options.WarmupSteps, (double)options.LearningRateDecay, options.EmaDecay, optimizer.StepCount, sum, squares];
    }

    /// <summary>True when this process writes checkpoints, previews and the loss log (always, unless it is a rank other than 0).</summary>
    public bool IsLeader => parallel is null || parallel.IsLeader;

    /// <summary>Time spent in training steps by this process so far (checkpoints and previews excluded; a data-parallel
    /// step includes its all-reduce, <see cref="DataParallel.AllReduceTime"/>).</summary>
    public TimeSpan StepTime => stepClock.Elapsed;

    /// <summary>The data-parallel group this trainer is a rank of, or null when it trains alone.</summary>
    public DataParallel? Parallel => parallel;

    /// <summary>Starts a new run writing to <paramref name="outputDirectory"/>.</summary>
    /// <param name="run">What to train.</param>
    /// <param name="dataset">The data, loaded from <see cref="TrainingRun.Dataset"/>.</param>
    /// <param name="outputDirectory">Where checkpoints, previews and the loss curve go; created if missing.</param>
    /// <param name="objective">The objective; null restores it from the run (tests pass their own).</param>
    /// <exception cref="DiffusionException">The folder already holds a checkpoint, or the data does not fit the network.</exception>
    /// <param name="parallel">The data-parallel group to train in, or null to train alone.</param>
    /// <param name="warmStart">Weights to start from instead of the seed's random initialisation (the seed still draws
    /// the minibatches and noise), or null.</param>
    public static Trainer Start(TrainingRun run, Dataset dataset, string outputDirectory, IObjective? objective = null, DataParallel? parallel = null, WarmStart? warmStart = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        string existing = Path.Combine(outputDirectory, CheckpointFileName);
        if (File.Exists(existing))
            throw new DiffusionException($"'{existing}' already exists: resume it (--resume) or choose another output folder; a new run would overwrite it.");
        return new Trainer(run, dataset, outputDirectory, objective, null, parallel, warmStart);
    }

    /// <summary>Continues the run of <paramref name="checkpoint"/>, writing to <paramref name="outputDirectory"/>.</summary>
    /// <param name="checkpoint">The state to continue from.</param>
    /// <param name="dataset">The run's data.</param>
    /// <param name="outputDirectory">Where checkpoints, previews and the loss curve go.</param>
    /// <param name="options">The run's options with, typically, more <see cref="TrainingOptions.Steps"/> or other
    /// intervals; null keeps the checkpoint's. Changing what shapes the steps (batch, rates, seed) forks the run.</param>
    /// <param name="objective">The objective; null restores it from the run.</param>
    /// <param name="parallel">The data-parallel group to train in, or null to train alone.</param>
    /// <exception cref="DiffusionException">The checkpoint does not fit its network or the data.</exception>
    public static Trainer Resume(Checkpoint checkpoint, Dataset dataset, string outputDirectory, TrainingOptions? options = null, IObjective? objective = null, DataParallel? parallel = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var run = options is null ? checkpoint.Run : checkpoint.Run with { Options = options };
        return new Trainer(run, dataset, outputDirectory, objective, checkpoint, parallel);
    }

    /// <summary>The run being trained.</summary>
    public TrainingRun Run { get; }

    /// <summary>Where checkpoints, previews and the loss curve go.</summary>
    public string OutputDirectory { get; }

    /// <summary>The checkpoint file.</summary>
    public string CheckpointPath { get; }

    /// <summary>The shape of one sample.</summary>
    public SampleShape SampleShape { get; }

    /// <summary>The network being trained.</summary>
    public DenoisingNetwork Model { get; }

    /// <summary>The moving average of <see cref="Model"/>'s weights.</summary>
    public DenoisingNetwork EmaModel { get; }

    /// <summary>Steps completed.</summary>
    public long Step { get; private set; }

    /// <summary>The network (its moving average by default) as a model the runtime's generator samples.</summary>
    public TorchDiffusionModel DiffusionModel(bool useEma = true) => new(useEma ? EmaModel : Model, Run.ModelConfig, SampleShape);

    /// <summary>Trains until <see cref="TrainingOptions.Steps"/> or cancellation.</summary>
    /// <param name="progress">Told after every step.</param>
    /// <param name="log">Told of checkpoints and previews written, one line each.</param>
    /// <param name="cancellation">Stops training after the current step; a checkpoint is written first.</param>
    /// <exception cref="TrainingDivergedException">A loss or gradient was NaN or infinite; nothing was saved.</exception>
    public TrainingResult Train(IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellation = default)
    {
        var options = Run.Options;
        var clock = new Stopwatch();
        double windowLoss = 0;
        long windowSteps = 0;
        while (Step < options.Steps)
        {
            // Alone, a stop request ends the run before the next step; in a group, the ranks agree on it in the
            // step's all-reduce, so all of them stop after the same step.
            if (parallel is null && cancellation.IsCancellationRequested) return Interrupt(log);
            clock.Start();
            stepClock.Start();
            var (loss, gradientNorm, learningRate, stop) = TrainStep(cancellation.IsCancellationRequested);
            stepClock.Stop();
            clock.Stop();
            windowLoss += loss;
            windowSteps++;
            double throughput = windowSteps * options.BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            progress?.Report(new TrainingProgress(Step, options.Steps, loss, windowLoss / windowSteps, throughput, learningRate, gradientNorm));
            if (Step % options.LogEvery == 0 || Step == options.Steps)
            {
                lossLog?.Append(Step, windowLoss / windowSteps, learningRate, throughput);
                windowLoss = 0;
                windowSteps = 0;
                clock.Reset();
            }
            if (stop) return Interrupt(log);
            if (Step % options.CheckpointEvery == 0) SaveCheckpoint(log);
            if (IsLeader && options.PreviewEvery > 0 && (Step % options.PreviewEvery == 0 || Step == options.Steps))
            {
                try
                {
                    // In a group the other ranks wait in the next all-reduce; a stop request is honoured there.
                    WritePreview(log, parallel is null ? cancellation : CancellationToken.None);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    return Interrupt(log);
                }
                catch (Exception e) when (e is DiffusionException or IOException or UnauthorizedAccessException)
                {
                    // A preview is a view of the run, not part of it: a failed one is reported and training goes on.
                    log?.Invoke($"preview skipped at step {Step}: {e.Message}");
                }
            }
        }
        if (savedStep != Step) SaveCheckpoint(log);
        RequireSameWeights();
        return new TrainingResult(TrainingOutcome.Completed, Step, lastLoss, CheckpointPath);
    }

    /// <summary>In a group, checks that the ranks' weights are still identical (they take the same steps).</summary>
    private void RequireSameWeights() => parallel?.RequireSame(StartState(), "weights at the end of the run",
        "the ranks diverged, which is a bug: report it with the command line.");

    /// <summary>Draws a preview with the averaged network and writes it as <c>preview-STEP.png</c>.</summary>
    /// <returns>The file written, or null when the samples cannot be drawn as a picture.</returns>
    public string? WritePreview(Action<string>? log = null, CancellationToken cancellation = default)
    {
        if (!Preview.CanDraw(SampleShape)) return null;
        var options = Run.Options;
        string sampler = options.PreviewSampler ?? Preview.DefaultSampler(Run.Objective);
        var samples = Preview.Sample(DiffusionModel(), options.PreviewCount, sampler, options.PreviewSteps, options.Seed, cancellation);
        string path = Path.Combine(OutputDirectory, string.Create(CultureInfo.InvariantCulture, $"preview-{Step:D7}.png"));
        Preview.Write(path, samples, Run.ModelConfig);
        log?.Invoke($"preview: {samples.Count} samples ({sampler}, {options.PreviewSteps} steps) -> {path}");
        return path;
    }

    /// <summary>One optimisation step; returns its loss, gradient norm and learning rate, and whether any rank asked to stop.</summary>
    private (double Loss, double GradientNorm, double LearningRate, bool Stop) TrainStep(bool stopRequested)
    {
        var options = Run.Options;
        long step = Step;
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(StepRandomness.Seed(options.Seed, step, StepRandomness.DropoutStream));
        using var generator = new Generator(StepRandomness.Seed(options.Seed, step, StepRandomness.NoiseStream));
        sampler.Next(indices);
        if (parallel is null)
        {
            var labels = options.ClassConditional ? Labels(generator, indices) : null;
            if (!options.ClassConditional) dataset.Gather(indices, batch);
            var x0 = torch.FromData<float>(batch, batchShape);

            var loss = objective.Loss(Model, x0, labels, generator);
            double value = loss.item<double>();
            if (!double.IsFinite(value)) throw Diverged(step + 1, "loss", value);
            optimizer.zero_grad();
            loss.backward();
            return Update(step, value, stop: false);
        }
        else
        {
            // This rank's rows of the global minibatch, with the labels, times and noise one process would draw for them.
            Array.Copy(indices, shardStart, shardIndices, 0, shardIndices.Length);
            var labels = options.ClassConditional ? Labels(generator, shardIndices) : null;
            if (!options.ClassConditional) dataset.Gather(shardIndices, batch);
            var x0 = torch.FromData<float>(batch, batchShape);
            var noise = objective.Draw(globalShape, generator);
            var shardNoise = new TrainingNoise(noise.Times[shardStart..(shardStart + shardIndices.Length)], noise.Noise.narrow(0, shardStart, shardIndices.Length));

            var loss = objective.Loss(Model, x0, labels, shardNoise);
            optimizer.zero_grad();
            loss.backward();
            var (value, stop) = parallel.AverageGradients(Model.Parameters.Select(p => p.parameter).ToList(), loss.item<double>(), stopRequested, step + 1);
            // Checked after the all-reduce, so that every rank sees the same value and stops at the same step.
            if (!double.IsFinite(value)) throw Diverged(step + 1, "loss", value);
            return Update(step, value, stop);
        }
    }

    /// <summary>Clips the gradients, takes the optimizer step and updates the average.</summary>
    private (double Loss, double GradientNorm, double LearningRate, bool Stop) Update(long step, double value, bool stop)
    {
        var options = Run.Options;
        double norm = torch.nn.utils.clip_grad_norm_(optimizer.Parameters, options.GradClip ?? double.MaxValue);
        if (!double.IsFinite(norm)) throw Diverged(step + 1, "gradient norm", norm);
        double learningRate = schedule.RateFor(step + 1);
        optimizer.LearningRate = learningRate;
        optimizer.step();
        optimizer.zero_grad();
        ema.Update(step);
        Step = step + 1;
        lastLoss = value;
        return (value, norm, learningRate, stop);
    }

    /// <summary>Gathers the batch with its labels, each replaced by the null label with probability
    /// <see cref="TrainingOptions.LabelDropout"/> (classifier-free guidance, Ho &amp; Salimans 2022).</summary>
    /// <remarks>The dropout draws cover the global minibatch; a rank uses those of its own rows.</remarks>
    private Tensor Labels(Generator generator, int[] rows)
    {
        dataset.Gather(rows, batch, batchLabels);
        int n = rows.Length;
        using var draws = torch.rand([indices.Length], generator);
        float[] u = draws.ToArray<float>();
        int offset = parallel is null ? 0 : shardStart;
        long nullLabel = Run.ModelConfig.NumClasses;
        var labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = u[offset + i] < Run.Options.LabelDropout ? nullLabel : batchLabels[i];
        return torch.FromData<long>(labels, [n]);
    }

    private TrainingDivergedException Diverged(long step, string what, double value)
    {
        string kept = savedStep >= 0
            ? $"the last good checkpoint (step {savedStep}) is kept at '{CheckpointPath}'"
            : "no checkpoint had been written yet";
        return new TrainingDivergedException(
            $"the {what} became {value.ToString(CultureInfo.InvariantCulture)} at step {step}: training stopped and {kept}; lower the learning rate or keep gradient clipping on.", step);
    }

    private TrainingResult Interrupt(Action<string>? log)
    {
        // A rank that stops alone (an error) never gets here; ranks that agreed to stop still hold the same weights.
        if (parallel is not null) RequireSameWeights();
        if (savedStep != Step) SaveCheckpoint(log);
        return new TrainingResult(TrainingOutcome.Interrupted, Step, lastLoss, CheckpointPath);
    }

    private void CheckData()
    {
        var config = Run.ModelConfig;
        if (config.InChannels is { } channels && channels != dataset.Channels
            || config.SampleSize is { } size && (size != dataset.Height || size != dataset.Width))
        {
            throw new DiffusionException(
                $"the run was set up for samples of {config.InChannels} channel(s) of side {config.SampleSize}, but dataset '{dataset.Name}' has samples shaped {SampleShape}.");
        }
    }

    private void CheckClasses()
    {
        if (!Run.Options.ClassConditional) return;
        if (dataset.Labels is null) throw new DiffusionException($"class-conditional training needs labels, and dataset '{dataset.Name}' has none.");
        if (Model.NumClasses != dataset.ClassCount || Run.ModelConfig.NumClasses != dataset.ClassCount)
        {
            throw new DiffusionException(
                $"dataset '{dataset.Name}' has {dataset.ClassCount} classes, but the network has {Model.NumClasses?.ToString(CultureInfo.InvariantCulture) ?? "no"} class input and the config {Run.ModelConfig.NumClasses} classes.");
        }
    }

    /// <summary>Releases the networks and the optimizer state.</summary>
    public void Dispose()
    {
        optimizer?.Dispose();
        Model?.Dispose();
        EmaModel?.Dispose();
    }
}
