using System.CommandLine;
using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Torch;
using Diffusion.Training.Classification;
using Diffusion.Training.Data;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Diffusion.Training.Training;

namespace Diffusion.Training.Cli.Commands;

/// <summary>
/// <c>diffusion-train classifier</c>: trains the digit classifier the runtime's evaluation scores samples with, reports
/// its held-out accuracy, exports it to ONNX and writes the features of every dataset image (the reference set).
/// </summary>
internal static class ClassifierCommand
{
    public static Command Create()
    {
        var o = new ClassifierOptionSet();
        var command = new Command("classifier",
            "train the classifier that `diffusion eval` scores samples with (accuracy, and a Frechet distance in its feature space); " +
            "writes the ONNX model and the features of every dataset image");
        foreach (var option in o.All) command.Add(option);
        command.SetAction(result => CliAction.Run(() => Train(o, result)));
        return command;
    }

    private static int Train(ClassifierOptionSet o, ParseResult result)
    {
        var spec = new DatasetSpec { Name = result.GetValue(o.Dataset)!, LabelsPath = result.GetValue(o.Labels) };
        var dataset = spec.Load();
        var config = ConfigFor(dataset, o, result);
        var options = new ClassifierTrainingOptions
        {
            Steps = result.GetValue(o.Steps),
            BatchSize = result.GetValue(o.Batch),
            LearningRate = result.GetValue(o.LearningRate),
            Seed = result.GetValue(o.Seed),
            MaxShift = result.GetValue(o.MaxShift),
            HeldoutEvery = result.GetValue(o.HeldoutEvery),
            LogEvery = result.GetValue(o.LogEvery),
        };
        int threads = result.GetValue(o.Threads) ?? Environment.ProcessorCount;
        if (threads < 1) throw new DiffusionException($"--threads must be at least 1, got {threads}.");
        torch.set_num_threads(threads);
        torch.keep_freed_memory();
        string modelPath = result.GetValue(o.Out)!;
        string featuresPath = result.GetValue(o.Features) ?? Path.Combine(Path.GetDirectoryName(modelPath) ?? "", Path.GetFileNameWithoutExtension(modelPath) + "-features.npy");

        using var trainer = new ClassifierTrainer(config, dataset, options);
        Describe(trainer, dataset, threads);
        var end = TrainingConsole.Run(0, options.LogEvery, (progress, _) => trainer.Train(progress));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained {end.Steps} steps in {end.Elapsed.TotalSeconds:F1} s (last loss {end.Loss:F4})"));
        if (end.HeldoutAccuracy is { } accuracy)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"held-out accuracy: {accuracy:P2} ({Math.Round(accuracy * trainer.HeldoutSet!.Count):N0} of {trainer.HeldoutSet.Count:N0} images never trained on)"));
        }

        var metadata = ClassifierExporter.Export(trainer.Network, trainer.Metadata(spec.ShortName), modelPath);
        Console.WriteLine($"wrote {Path.GetFullPath(modelPath)} (input image [N, {string.Join(", ", metadata.ImageShape)}]; outputs logits [N, {metadata.NumClasses}], features [N, {metadata.FeatureDim}])");
        var shape = ClassifierFeatures.Write(trainer.Network, dataset, featuresPath);
        Console.WriteLine($"wrote {Path.GetFullPath(featuresPath)} (features [{string.Join(", ", shape)}]: row i is dataset image i)");
        return 0;
    }

    /// <summary>The default classifier shaped for <paramref name="dataset"/>; the trainer checks its labels.</summary>
    private static DigitClassifierConfig ConfigFor(Dataset dataset, ClassifierOptionSet o, ParseResult result)
    {
        if (dataset.Height == 1 && dataset.Width == 1)
            throw new DiffusionException($"the classifier is a CNN for images, and dataset '{dataset.Name}' holds points [{dataset.Channels}, 1, 1]: use mnist, or a .npy of images [N, C, H, W].");
        if (dataset.Height != dataset.Width)
            throw new DiffusionException($"the classifier takes square images, but '{dataset.Name}' has {dataset.Height}x{dataset.Width}: pad or crop them to a square.");
        return new DigitClassifierConfig
        {
            InChannels = dataset.Channels,
            ImageSize = dataset.Height,
            NumClasses = dataset.ClassCount,
            FeatureDim = result.GetValue(o.FeatureDim),
            Dropout = result.GetValue(o.Dropout),
        };
    }

    private static void Describe(ClassifierTrainer trainer, Dataset dataset, int threads)
    {
        var options = trainer.Options;
        var config = trainer.Network.Config;
        long parameters = trainer.Network.parameters().Sum(p => p.numel());
        string heldout = trainer.HeldoutSet is { } set ? $"{set.Count} held out (every {options.HeldoutEvery}th)" : "none held out";
        Console.Error.WriteLine($"data: {dataset}; {trainer.TrainSet.Count} for training, {heldout}");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"network: DigitClassifier, convolutions {string.Join("/", config.Channels)}, features {config.FeatureDim}, dropout {config.Dropout}: {parameters:N0} parameters"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training: {options.Steps} steps, batch {options.BatchSize}, adam lr {options.LearningRate:G3} (warm-up {options.WarmupSteps}, cosine decay), shifts up to {options.MaxShift} px, seed {options.Seed}, {threads} thread(s)"));
    }
}
