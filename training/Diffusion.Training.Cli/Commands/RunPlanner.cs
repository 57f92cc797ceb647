using System.CommandLine;
using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Torch.Optim;
using Diffusion.Training.Data;
using Diffusion.Training.Data.Mnist;
using Diffusion.Training.Networks;
using Diffusion.Training.Objectives;
using Diffusion.Training.Training;

namespace Diffusion.Training.Cli.Commands;

/// <summary>Turns the command line into a run: the dataset, the objective, the network and the options.</summary>
internal sealed class RunPlanner(TrainOptionSet o, ParseResult result)
{
    /// <summary>The dataset the command line names.</summary>
    public DatasetSpec DatasetSpec()
    {
        string name = result.GetValue(o.Dataset) ?? throw new DiffusionException(
            $"--dataset is required for a new run: {string.Join(", ", DatasetFactory.Names)}, or the path of a .npy file.");
        return new DatasetSpec
        {
            Name = name,
            LabelsPath = result.GetValue(o.Labels),
            ImageSize = result.GetValue(o.ImageSize),
            Fit = result.GetValue(o.ImageFit) switch
            {
                "pad" => ImageFit.Pad,
                "nearest" => ImageFit.Nearest,
                "bilinear" => ImageFit.Bilinear,
                var fit => throw new DiffusionException($"unknown --image-fit '{fit}': use pad, nearest or bilinear."),
            },
        };
    }

    /// <summary>A new run on <paramref name="dataset"/>.</summary>
    public TrainingRun NewRun(DatasetSpec spec, Dataset dataset)
    {
        var defaults = DatasetDefaults.For(dataset);
        var options = Options(defaults);
        if (options.ClassConditional && dataset.Labels is null)
            throw new DiffusionException($"--class-conditional needs labels, and dataset '{dataset.Name}' has none: pass --labels PATH.npy with a .npy dataset.");
        var preconditioning = Preconditioning();
        var objective = Objective(dataset, preconditioning);
        var network = defaults.Images ? UNet(dataset, options.ClassConditional) : Mlp(dataset, options.ClassConditional);
        return TrainingRun.Create(spec, dataset, objective, network with { Preconditioning = preconditioning }, options);
    }

    /// <summary>The checkpoint's run with what may change on --resume; an explicitly given setting that would change a step is an error.</summary>
    public TrainingOptions ResumedOptions(TrainingRun run)
    {
        var resumable = o.ResumableOptions.ToHashSet();
        if (o.All.FirstOrDefault(option => !resumable.Contains(option) && result.GetResult(option) is { Implicit: false }) is { } fixedOption)
        {
            throw new DiffusionException(
                $"{fixedOption.Name} cannot be given with --resume: the run keeps the settings of its checkpoint (only {string.Join(", ", o.ResumableOptions.Select(r => r.Name))} may change); start a new run in another folder to change it.");
        }
        var options = run.Options with
        {
            Steps = result.GetValue(o.Steps) ?? run.Options.Steps,
            CheckpointEvery = Given(o.CheckpointEvery) ? result.GetValue(o.CheckpointEvery) : run.Options.CheckpointEvery,
            PreviewEvery = Given(o.PreviewEvery) ? result.GetValue(o.PreviewEvery) : run.Options.PreviewEvery,
            PreviewCount = result.GetValue(o.PreviewCount) ?? run.Options.PreviewCount,
            PreviewSampler = result.GetValue(o.PreviewSampler) ?? run.Options.PreviewSampler,
            PreviewSteps = Given(o.PreviewSteps) ? result.GetValue(o.PreviewSteps) : run.Options.PreviewSteps,
            LogEvery = Given(o.LogEvery) ? result.GetValue(o.LogEvery) : run.Options.LogEvery,
        };
        options.Validate();
        return options;
    }

    /// <summary>The libtorch thread count: the option, else the dataset's default, shared among the ranks that
    /// <c>--nproc</c> started on this machine (<see cref="LocalLauncher.LocalRanksVariable"/>).</summary>
    public int Threads(Dataset dataset) => result.GetValue(o.Threads) is { } threads
        ? threads >= 1 ? threads : throw new DiffusionException($"--threads must be at least 1, got {threads}.")
        : Math.Max(1, DatasetDefaults.For(dataset).Threads / LocalLauncher.LocalRanks);

    /// <summary>This process's place in a data-parallel run (--rank, --world-size, --master-addr, --master-port), or null when it trains alone.</summary>
    public DataParallelOptions? Parallel()
    {
        bool any = Given(o.Rank) || Given(o.WorldSize) || Given(o.MasterAddr) || Given(o.MasterPort);
        if (!any) return null;
        if (result.GetValue(o.Rank) is not { } rank || result.GetValue(o.WorldSize) is not { } worldSize)
            throw new DiffusionException("a data-parallel rank needs both --rank and --world-size (and, across machines, --master-addr and --master-port); or use --nproc N on one machine.");
        double timeout = result.GetValue(o.DistTimeout);
        if (!(timeout > 0)) throw new DiffusionException($"--dist-timeout must be a positive number of seconds, got {timeout}.");
        var options = new DataParallelOptions
        {
            Rank = rank,
            WorldSize = worldSize,
            MasterAddress = result.GetValue(o.MasterAddr) ?? "127.0.0.1",
            MasterPort = result.GetValue(o.MasterPort),
            Timeout = TimeSpan.FromSeconds(timeout),
        };
        try
        {
            options.Validate();
        }
        catch (DiffusionException e)
        {
            throw new DiffusionException($"{e.Message.TrimEnd('.')} (--rank, --world-size, --master-addr, --master-port, --dist-timeout).", e);
        }
        return options;
    }

    private bool Given(Option option) => result.GetResult(option) is { Implicit: false };

    private TrainingOptions Options(DatasetDefaults defaults)
    {
        double clip = result.GetValue(o.GradClip);
        return new TrainingOptions
        {
            Steps = result.GetValue(o.Steps) ?? defaults.Steps,
            BatchSize = result.GetValue(o.Batch) ?? defaults.Batch,
            LearningRate = result.GetValue(o.LearningRate) ?? defaults.LearningRate,
            Optimizer = result.GetValue(o.Optimizer)!,
            WeightDecay = result.GetValue(o.WeightDecay),
            WarmupSteps = result.GetValue(o.Warmup),
            LearningRateDecay = result.GetValue(o.LrDecay) switch
            {
                "constant" => LearningRateDecay.Constant,
                "cosine" => LearningRateDecay.Cosine,
                var other => throw new DiffusionException($"unknown --lr-decay '{other}': use constant or cosine."),
            },
            GradClip = clip == 0 ? null : clip,
            EmaDecay = result.GetValue(o.Ema),
            Seed = result.GetValue(o.Seed),
            CheckpointEvery = result.GetValue(o.CheckpointEvery),
            PreviewEvery = result.GetValue(o.PreviewEvery),
            PreviewCount = result.GetValue(o.PreviewCount) ?? defaults.PreviewCount,
            PreviewSampler = result.GetValue(o.PreviewSampler),
            PreviewSteps = result.GetValue(o.PreviewSteps),
            LogEvery = result.GetValue(o.LogEvery),
            ClassConditional = result.GetValue(o.ClassConditional),
            LabelDropout = result.GetValue(o.LabelDropout),
        };
    }

    private Preconditioning? Preconditioning()
    {
        var preconditioning = result.GetValue(o.Precondition) switch
        {
            "none" when Given(o.SigmaData) && result.GetValue(o.LossWeighting) != "edm" => throw new DiffusionException(
                "--sigma-data only applies with --precondition input or edm, or --loss-weighting edm: add one of them, or drop --sigma-data."),
            "none" => null,
            "input" => new Preconditioning(result.GetValue(o.SigmaData)),
            "edm" => new Preconditioning(result.GetValue(o.SigmaData), Output: true),
            var other => throw new DiffusionException($"unknown --precondition '{other}': use none, input or edm."),
        };
        preconditioning?.Validate();
        return preconditioning;
    }

    private IObjective Objective(Dataset dataset, Preconditioning? preconditioning)
    {
        string name = result.GetValue(o.Objective)!;
        bool exploding = name is "ncsn" or "ve";
        var prediction = result.GetValue(o.Prediction) is { } p ? PredictionConversion.Parse(p) : (PredictionType?)null;
        if (preconditioning is { Output: true })
        {
            // The preconditioned output D is a clean-sample estimate.
            prediction ??= PredictionType.Sample;
            if (prediction != PredictionType.Sample)
                throw new DiffusionException($"--precondition edm makes the network predict the clean sample: drop --prediction {prediction.Value.Name()} (or pass --prediction sample).");
        }
        return ObjectiveRegistry.Create(new ObjectiveOptions
        {
            Recipe = NoiseLevels(dataset),
            Name = name,
            Prediction = prediction,
            TimestepInput = result.GetValue(o.TimestepInput) is { } t ? SchedulerConfig.ParseTimestepInput(t) : null,
            Timesteps = result.GetValue(o.Timesteps),
            BetaSchedule = result.GetValue(o.BetaSchedule)!,
            BetaStart = result.GetValue(o.BetaStart),
            BetaEnd = result.GetValue(o.BetaEnd),
            Levels = result.GetValue(o.Levels),
            SigmaMin = result.GetValue(o.SigmaMin),
            // Only the variance-exploding objectives use sigma_max; computing it costs a pass over the data.
            SigmaMax = result.GetValue(o.SigmaMax) ?? (exploding ? NoiseLevelHeuristics.MaxPairwiseDistance(dataset) : 50),
            BetaMin = result.GetValue(o.BetaMin),
            BetaMax = result.GetValue(o.BetaMax),
            Eps = result.GetValue(o.Eps),
        });
    }

    /// <summary>--noise-sampling, --p-mean, --p-std, --loss-weighting, --min-snr-gamma and --sigma-data as a recipe.</summary>
    private NoiseLevelRecipe NoiseLevels(Dataset dataset)
    {
        var defaults = DatasetDefaults.For(dataset);
        var sampling = NoiseLevelRecipe.ParseSampling(result.GetValue(o.NoiseSampling) ?? defaults.NoiseSampling);
        var weighting = NoiseLevelRecipe.ParseWeighting(result.GetValue(o.LossWeighting)
            ?? defaults.LossWeighting(result.GetValue(o.Objective)!, edmPreconditioned: result.GetValue(o.Precondition) == "edm"));
        if (sampling != NoiseSampling.LogNormal && (Given(o.PMean) || Given(o.PStd)))
            throw new DiffusionException($"--p-mean and --p-std only apply with --noise-sampling lognormal (got {NoiseLevelRecipe.Name(sampling)}).");
        if (weighting != LossWeighting.MinSnr && Given(o.MinSnrGamma))
            throw new DiffusionException($"--min-snr-gamma only applies with --loss-weighting min-snr (got {NoiseLevelRecipe.Name(weighting)}).");
        var recipe = new NoiseLevelRecipe
        {
            Sampling = sampling,
            PMean = result.GetValue(o.PMean) ?? defaults.PMean,
            PStd = result.GetValue(o.PStd),
            Weighting = weighting,
            Gamma = result.GetValue(o.MinSnrGamma),
            SigmaData = result.GetValue(o.SigmaData),
        };
        try
        {
            recipe.Validate();
        }
        catch (DiffusionException e)
        {
            throw new DiffusionException($"{e.Message.TrimEnd('.')} (--p-std, --min-snr-gamma, --sigma-data).", e);
        }
        return recipe;
    }

    private NetworkSpec Mlp(Dataset dataset, bool classConditional)
    {
        if (classConditional)
            throw new DiffusionException("--class-conditional needs the UNet (image data): the MLP denoiser of 2-D data has no class input.");
        return NetworkSpec.Mlp(new MlpDenoiserConfig { DataDimension = dataset.Channels, HiddenWidth = result.GetValue(o.Hidden), Depth = result.GetValue(o.Depth) });
    }

    private NetworkSpec UNet(Dataset dataset, bool classConditional)
    {
        if (dataset.Height != dataset.Width)
            throw new DiffusionException($"the UNet takes square images, but '{dataset.Name}' has {dataset.Height}x{dataset.Width}: pad or crop them to a square.");
        var config = new UNetConfig
        {
            InChannels = dataset.Channels,
            ImageSize = dataset.Height,
            BaseChannels = result.GetValue(o.Channels),
            ChannelMultipliers = IntList(o.ChannelMult),
            ResBlocksPerLevel = result.GetValue(o.ResBlocks),
            AttentionResolutions = IntList(o.Attention),
            NormGroups = result.GetValue(o.NormGroups),
            Dropout = result.GetValue(o.Dropout),
            NumClasses = classConditional ? dataset.ClassCount : null,
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new DiffusionException(e.Message, e);
        }
        return NetworkSpec.UNet(config);
    }

    private int[] IntList(Option<string> option)
    {
        string text = result.GetValue(option)!;
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
                throw new DiffusionException($"{option.Name} '{text}' is not a comma-separated list of integers.");
        }
        return values;
    }
}
