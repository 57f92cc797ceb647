using System.Diagnostics;
using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Torch;
using Diffusion.Torch.Optim;
using Diffusion.Training.Data;
using Diffusion.Training.Data.Sampling;
using Diffusion.Training.Networks;
using Diffusion.Training.Training;

namespace Diffusion.Training.Classification;

/// <summary>
/// Trains a <see cref="DigitClassifier"/> on a labelled dataset: every k-th image held out
/// (<see cref="HeldoutSplit"/>), minibatches of the rest from a <see cref="MinibatchSampler"/>, random pixel shifts
/// (<see cref="ShiftAugmentation"/>), cross-entropy, Adam with linear warm-up and cosine decay. Deterministic: the
/// weights, batches, shifts and dropout derive from the seed and the step (<see cref="StepRandomness"/>).
/// </summary>
public sealed class ClassifierTrainer : IDisposable
{
    private readonly Adam optimizer;
    private readonly LearningRateSchedule schedule;
    private readonly MinibatchSampler sampler;
    private readonly int[] indices;
    private readonly float[] batch;
    private readonly float[] shifted;
    private readonly int[] labels;
    private readonly long[] batchShape;

    /// <summary>Builds the network (weights from the seed) and splits <paramref name="dataset"/>.</summary>
    /// <exception cref="DiffusionException">The options or config are invalid, or the data has no labels or does not fit the network.</exception>
    public ClassifierTrainer(DigitClassifierConfig config, Dataset dataset, ClassifierTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckData(config, dataset);
        Options = options;
        (TrainSet, HeldoutSet) = HeldoutSplit.EveryKth(dataset, options.HeldoutEvery);
        using (var init = new Generator(StepRandomness.Seed(options.Seed, 0, StepRandomness.InitStream))) Network = new DigitClassifier(config, init);
        optimizer = new Adam(Network.parameters(), options.LearningRate);
        schedule = new LearningRateSchedule(optimizer, options.WarmupSteps, LearningRateDecay.Cosine, options.Steps);
        sampler = new MinibatchSampler(TrainSet.Count, options.BatchSize, unchecked((long)options.Seed));
        indices = new int[options.BatchSize];
        batch = new float[options.BatchSize * dataset.SampleSize];
        shifted = new float[batch.Length];
        labels = new int[options.BatchSize];
        batchShape = [options.BatchSize, dataset.Channels, dataset.Height, dataset.Width];
    }

    /// <summary>The network being trained.</summary>
    public DigitClassifier Network { get; }

    /// <summary>How it trains.</summary>
    public ClassifierTrainingOptions Options { get; }

    /// <summary>The images trained on.</summary>
    public Dataset TrainSet { get; }

    /// <summary>The images held out, or null when <see cref="ClassifierTrainingOptions.HeldoutEvery"/> is 0.</summary>
    public Dataset? HeldoutSet { get; }

    /// <summary>Steps completed.</summary>
    public long Step { get; private set; }

    /// <summary>The held-out accuracy measured at the end of <see cref="Train"/>, or null before it (or with nothing held out).</summary>
    public double? HeldoutAccuracy { get; private set; }

    /// <summary>Trains to <see cref="ClassifierTrainingOptions.Steps"/>, then measures the held-out accuracy.</summary>
    /// <param name="progress">Told after every step (the average loss covers the steps since the last log interval).</param>
    /// <param name="cancellation">Stops between steps with an <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public ClassifierTrainingResult Train(IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var total = Stopwatch.StartNew();
        var window = new Stopwatch();
        double windowLoss = 0, lastLoss = double.NaN;
        long windowSteps = 0;
        while (Step < Options.Steps)
        {
            cancellation.ThrowIfCancellationRequested();
            window.Start();
            var (loss, gradientNorm, learningRate) = TrainStep();
            window.Stop();
            windowLoss += loss;
            windowSteps++;
            lastLoss = windowLoss / windowSteps;
            double throughput = windowSteps * Options.BatchSize / Math.Max(window.Elapsed.TotalSeconds, 1e-9);
            progress?.Report(new TrainingProgress(Step, Options.Steps, loss, lastLoss, throughput, learningRate, gradientNorm));
            if (Step % Options.LogEvery == 0)
            {
                windowLoss = 0;
                windowSteps = 0;
                window.Reset();
            }
        }
        HeldoutAccuracy = HeldoutSet is null ? null : ClassifierInference.Accuracy(Network, HeldoutSet);
        return new ClassifierTrainingResult(Step, lastLoss, HeldoutAccuracy, total.Elapsed);
    }

    /// <summary>The metadata of the trained network, for <see cref="Export.ClassifierExporter"/>.</summary>
    /// <param name="dataset">The training data's name, e.g. <see cref="DatasetSpec.ShortName"/>.</param>
    public ClassifierMetadata Metadata(string? dataset) => new()
    {
        NumClasses = Network.Config.NumClasses,
        FeatureDim = Network.Config.FeatureDim,
        ImageShape = [Network.Config.InChannels, Network.Config.ImageSize, Network.Config.ImageSize],
        DataRange = [TrainingRun.Shortest(TrainSet.Range.Min), TrainingRun.Shortest(TrainSet.Range.Max)],
        Dataset = dataset,
        HeldoutAccuracy = HeldoutAccuracy,
        TrainImages = TrainSet.Count,
        HeldoutImages = HeldoutSet?.Count ?? 0,
        Steps = Step,
        Seed = Options.Seed,
    };

    /// <summary>One optimisation step on a shifted minibatch; returns its loss, gradient norm and learning rate.</summary>
    private (double Loss, double GradientNorm, double LearningRate) TrainStep()
    {
        long step = Step;
        using var scope = torch.NewDisposeScope();
        // Dropout draws from the global generator: reseeded per step only when there is dropout, so that a
        // classifier without it leaves process-wide state alone.
        if (Network.Config.Dropout > 0) torch.manual_seed(StepRandomness.Seed(Options.Seed, step, StepRandomness.DropoutStream));
        using var generator = new Generator(StepRandomness.Seed(Options.Seed, step, StepRandomness.NoiseStream));
        sampler.Next(indices);
        TrainSet.Gather(indices, batch, labels);
        if (Options.MaxShift > 0)
        {
            var shifts = ShiftAugmentation.Draw(indices.Length, Options.MaxShift, generator);
            ShiftAugmentation.Apply(batch, shifted, TrainSet.Channels, TrainSet.Height, TrainSet.Width, shifts, TrainSet.Range.Min);
        }
        else
        {
            batch.CopyTo(shifted, 0);
        }

        var (logits, _) = Network.forward(torch.FromData<float>(shifted, batchShape));
        var loss = CrossEntropy.Loss(logits, labels);
        double value = loss.item<double>();
        if (!double.IsFinite(value))
        {
            throw new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
                $"the classifier's loss became {value} at step {step + 1}: lower the learning rate (--lr)."), step + 1);
        }
        optimizer.zero_grad();
        loss.backward();
        double norm = torch.nn.utils.clip_grad_norm_(optimizer.Parameters, double.MaxValue);
        double learningRate = schedule.RateFor(step + 1);
        optimizer.LearningRate = learningRate;
        optimizer.step();
        optimizer.zero_grad();
        Step = step + 1;
        return (value, norm, learningRate);
    }

    private static void CheckData(DigitClassifierConfig config, Dataset dataset)
    {
        if (dataset.Labels is null)
            throw new DiffusionException($"a classifier learns class labels, and dataset '{dataset.Name}' has none: use mnist, or a .npy dataset with --labels PATH.npy.");
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new DiffusionException(e.Message, e);
        }
        if (dataset.ClassCount != config.NumClasses)
            throw new DiffusionException($"dataset '{dataset.Name}' has {dataset.ClassCount} classes, but the classifier is configured for {config.NumClasses}.");
        if (dataset.Channels != config.InChannels || dataset.Height != config.ImageSize || dataset.Width != config.ImageSize)
        {
            throw new DiffusionException(
                $"the classifier takes images [{config.InChannels}, {config.ImageSize}, {config.ImageSize}], but dataset '{dataset.Name}' has [{dataset.Channels}, {dataset.Height}, {dataset.Width}]: configure the classifier for the data's shape.");
        }
    }

    /// <summary>Releases the network and the optimizer state.</summary>
    public void Dispose()
    {
        optimizer.Dispose();
        Network.Dispose();
    }
}
