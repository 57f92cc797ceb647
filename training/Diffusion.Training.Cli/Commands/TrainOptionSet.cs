using System.CommandLine;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Samplers;
using Diffusion.Training.Data;
using Diffusion.Training.Objectives;

namespace Diffusion.Training.Cli.Commands;

/// <summary>The options of <c>diffusion-train train</c>. Null defaults are chosen per dataset (<see cref="DatasetDefaults"/>).</summary>
internal sealed class TrainOptionSet
{
    // Data
    public readonly Option<string?> Dataset = new("--dataset", "-d")
    {
        Description = $"training data: {string.Join(", ", DatasetFactory.Names)}, or the path of a .npy file shaped [N, C, H, W] or [N, D]",
    };
    public readonly Option<string?> Labels = new("--labels") { Description = "class labels of a .npy dataset: a .npy of N integral values 0, 1, 2, ..." };
    public readonly Option<int?> ImageSize = new("--image-size") { Description = "mnist: side the 28x28 digits are brought to (e.g. 32; default 28)" };
    public readonly Option<string> ImageFit = new("--image-fit") { Description = "mnist: pad (centre on a larger canvas), nearest or bilinear", DefaultValueFactory = _ => "pad" };

    // Objective
    public readonly Option<string> Objective = new("--objective") { Description = $"training objective: {string.Join(", ", ObjectiveRegistry.Names)}", DefaultValueFactory = _ => "ddpm" };
    public readonly Option<string?> Prediction = new("--prediction") { Description = $"what the network predicts: {string.Join(", ", PredictionConversion.Names)} (default epsilon; score for ncsn and ve)" };
    public readonly Option<string?> TimestepInput = new("--timestep-input") { Description = "what the network is conditioned on: index (ddpm), t, sigma or log_sigma (default index for ddpm, t for vp/subvp, log_sigma for ncsn/ve)" };
    public readonly Option<int> Timesteps = new("--timesteps") { Description = "ddpm: number of training steps T", DefaultValueFactory = _ => 1000 };
    public readonly Option<string> BetaSchedule = new("--beta-schedule") { Description = "ddpm: linear, scaled_linear or squaredcos_cap_v2", DefaultValueFactory = _ => "linear" };
    public readonly Option<double> BetaStart = new("--beta-start") { Description = "ddpm: first beta of the linear schedules", DefaultValueFactory = _ => 1e-4 };
    public readonly Option<double> BetaEnd = new("--beta-end") { Description = "ddpm: last beta of the linear schedules", DefaultValueFactory = _ => 0.02 };
    public readonly Option<int> Levels = new("--levels") { Description = "ncsn: number of geometric noise levels L", DefaultValueFactory = _ => 10 };
    public readonly Option<double> SigmaMin = new("--sigma-min") { Description = "ncsn, ve: smallest noise level", DefaultValueFactory = _ => 0.01 };
    public readonly Option<double?> SigmaMax = new("--sigma-max") { Description = "ncsn, ve: largest noise level (default: the largest distance between two data points)" };
    public readonly Option<double> BetaMin = new("--beta-min") { Description = "vp, subvp: beta(0)", DefaultValueFactory = _ => 0.1 };
    public readonly Option<double> BetaMax = new("--beta-max") { Description = "vp, subvp: beta(1)", DefaultValueFactory = _ => 20 };
    public readonly Option<double?> Eps = new("--eps") { Description = "vp, subvp, ve: smallest training time (default 1e-3, or 1e-5 for ve)" };

    // Noise levels
    public readonly Option<string?> NoiseSampling = new("--noise-sampling")
    {
        Description = "how training draws noise levels: uniform (the objective's own: uniform t, index or level), log-snr (ln(sigma/alpha) uniform), " +
            "lognormal (ln(sigma/alpha) ~ N(--p-mean, --p-std^2), EDM's) (default lognormal for 2-D data, where it was measured best; uniform for images)",
    };
    public readonly Option<double?> PMean = new("--p-mean") { Description = "--noise-sampling lognormal: mean of ln(sigma/alpha) (default -1.8 for 2-D data, measured on the tight ring; EDM's -1.2 for images)" };
    public readonly Option<double> PStd = new("--p-std") { Description = "--noise-sampling lognormal: standard deviation of ln(sigma/alpha) (EDM: 1.2)", DefaultValueFactory = _ => 1.2 };
    public readonly Option<string?> LossWeighting = new("--loss-weighting")
    {
        Description = "how each sample's error is weighted by its noise level: own (the objective's), edm (EDM's lambda with --sigma-data), min-snr (min(SNR, --min-snr-gamma)) " +
            "(default min-snr for images under ddpm, vp and subvp, where it was measured best, unless --precondition edm; else own)",
    };
    public readonly Option<double> MinSnrGamma = new("--min-snr-gamma") { Description = "--loss-weighting min-snr: gamma (Hang et al. 2023: 5)", DefaultValueFactory = _ => 5.0 };

    // Network
    public readonly Option<int> Hidden = new("--hidden") { Description = "MLP (2-D data): hidden width", DefaultValueFactory = _ => 128 };
    public readonly Option<int> Depth = new("--depth") { Description = "MLP (2-D data): hidden layers", DefaultValueFactory = _ => 3 };
    public readonly Option<int> Channels = new("--channels") { Description = "UNet (images): channels of the first level", DefaultValueFactory = _ => 32 };
    public readonly Option<string> ChannelMult = new("--channel-mult") { Description = "UNet: channel multiplier per level, comma-separated (its length is the number of levels)", DefaultValueFactory = _ => "1,2,2" };
    public readonly Option<int> ResBlocks = new("--res-blocks") { Description = "UNet: residual blocks per level", DefaultValueFactory = _ => 1 };
    public readonly Option<string> Attention = new("--attention") { Description = "UNet: feature-map sizes with self-attention, comma-separated (the middle always has it), e.g. 14", DefaultValueFactory = _ => "" };
    public readonly Option<int> NormGroups = new("--norm-groups") { Description = "UNet: groups of every GroupNorm", DefaultValueFactory = _ => 8 };
    public readonly Option<double> Dropout = new("--dropout") { Description = "UNet: dropout in the residual blocks", DefaultValueFactory = _ => 0.0 };
    public readonly Option<string> Precondition = new("--precondition")
    {
        Description = "Karras et al. 2022's preconditioning around the network: none; input (scale the noisy input to unit variance at every noise level); " +
            "edm (input, and the output as D = c_skip x + c_out F: the network predicts the clean sample, trained on EDM's F target)",
        DefaultValueFactory = _ => "none",
    };
    public readonly Option<double> SigmaData = new("--sigma-data")
    {
        Description = "--precondition: the data's standard deviation sigma_data (EDM's 0.5 suits images in [-1, 1])",
        DefaultValueFactory = _ => 0.5,
    };

    // Optimisation
    public readonly Option<long?> Steps = new("--steps", "-n") { Description = "total training steps (default 10000 for 2-D data, 5000 for images); on --resume, the new total" };
    public readonly Option<int?> Batch = new("--batch", "-b") { Description = "minibatch size (default 256 for 2-D data, 64 for images)" };
    public readonly Option<double?> LearningRate = new("--lr") { Description = "learning rate after warm-up (default 2e-3 for 2-D data, 5e-4 for images)" };
    public readonly Option<string> Optimizer = new("--optimizer") { Description = "adam or adamw", DefaultValueFactory = _ => "adam" };
    public readonly Option<double> WeightDecay = new("--weight-decay") { Description = "weight decay (L2 for adam, decoupled for adamw)", DefaultValueFactory = _ => 0.0 };
    public readonly Option<long> Warmup = new("--warmup") { Description = "steps of linear learning-rate warm-up", DefaultValueFactory = _ => 100 };
    public readonly Option<string> LrDecay = new("--lr-decay")
    {
        Description = "the learning rate after warm-up: constant, or cosine (a half cosine down to 0 at --steps; for the last stretch of a run, e.g. after --init-from)",
        DefaultValueFactory = _ => "constant",
    };
    public readonly Option<double> GradClip = new("--grad-clip") { Description = "clip the global gradient norm to this (0 disables)", DefaultValueFactory = _ => 1.0 };
    public readonly Option<double> Ema = new("--ema") { Description = "EMA decay of the weights; the decay of step t is min(ema, (1 + t) / (10 + t))", DefaultValueFactory = _ => 0.999 };
    public readonly Option<ulong> Seed = new("--seed") { Description = "seed of the initial weights, minibatches and noise: the same seed trains the same model", DefaultValueFactory = _ => 0 };
    public readonly Option<string?> InitFrom = new("--init-from")
    {
        Description = "start a new run from the weights of a model diffusion-train export wrote (same architecture and schedule) instead of random ones; " +
            "for continuing a model whose checkpoint is gone (Adam's moments start at zero, the warm-up covers that). A UNet run with more --res-blocks or " +
            "--attention than the model grows it: the added layers start as identities, so the run starts from the model's function",
    };
    public readonly Option<int?> Threads = new("--threads") { Description = "libtorch CPU threads (default 1 for 2-D data, all cores for images)" };

    // Classes
    public readonly Option<bool> ClassConditional = new("--class-conditional") { Description = "condition the UNet on the dataset's class labels (classifier-free guidance: see --label-dropout)" };
    public readonly Option<double> LabelDropout = new("--label-dropout") { Description = "probability a label is replaced by the null label num_classes, so the model also learns p(x)", DefaultValueFactory = _ => 0.1 };

    // Output
    public readonly Option<string> Out = new("--out", "-o") { Description = "output folder: checkpoint.safetensors, preview-STEP.png, loss.csv", Required = true };
    public readonly Option<bool> Resume = new("--resume") { Description = "continue the run in --out from its checkpoint (same settings; --steps may grow)" };
    public readonly Option<long> CheckpointEvery = new("--checkpoint-every") { Description = "write the checkpoint every this many steps (and at the end, and on Ctrl-C)", DefaultValueFactory = _ => 1000 };
    public readonly Option<long> PreviewEvery = new("--preview-every") { Description = "draw a preview PNG every this many steps, and at the end (0 disables)", DefaultValueFactory = _ => 1000 };
    public readonly Option<int?> PreviewCount = new("--preview-count") { Description = "samples per preview (default 1000 points, or 36 images)" };
    public readonly Option<string?> PreviewSampler = new("--preview-sampler") { Description = $"runtime sampler of previews: {string.Join(", ", SamplerRegistry.All.Select(s => s.Name))} (default ddim for ddpm, langevin for ncsn, heun otherwise)" };
    public readonly Option<int> PreviewSteps = new("--preview-steps") { Description = "sampler steps of a preview", DefaultValueFactory = _ => 50 };
    public readonly Option<long> LogEvery = new("--log-every") { Description = "log the mean loss (loss.csv, and a line when not on a terminal) every this many steps", DefaultValueFactory = _ => 100 };

    // Data parallelism
    public readonly Option<int?> Nproc = new("--nproc")
    {
        Description = "train data-parallel in N processes on this machine (ranks on 127.0.0.1 and a free port): each trains on 1/N of every --batch, " +
            "gradients are averaged before each step, rank 0 writes the output; a rank that fails stops the others",
    };
    public readonly Option<int?> Rank = new("--rank") { Description = "data parallelism across machines: this process's rank, 0 to --world-size - 1 (rank 0 writes the output and hosts the rendezvous)" };
    public readonly Option<int?> WorldSize = new("--world-size") { Description = "data parallelism across machines: how many ranks train together (--batch must be a multiple of it)" };
    public readonly Option<string?> MasterAddr = new("--master-addr") { Description = "data parallelism across machines: the address of rank 0's machine (default 127.0.0.1)" };
    public readonly Option<int> MasterPort = new("--master-port") { Description = "data parallelism across machines: rank 0's rendezvous TCP port", DefaultValueFactory = _ => 29500 };
    public readonly Option<double> DistTimeout = new("--dist-timeout")
    {
        Description = "data parallelism: seconds to wait for the other ranks to join and for each all-reduce before giving up with an error",
        DefaultValueFactory = _ => 300,
    };

    public TrainOptionSet()
    {
        foreach (var option in All) FiniteValues.Require(option);
    }

    /// <summary>The options that may differ on --resume: they do not change what a step computes.</summary>
    public IEnumerable<Option> ResumableOptions => [Steps, Threads, Out, Resume, CheckpointEvery, PreviewEvery, PreviewCount, PreviewSampler, PreviewSteps, LogEvery, .. Parallelism];

    /// <summary>How many processes train and where they meet: a step computes the same whatever they are.</summary>
    public IEnumerable<Option> Parallelism => [Nproc, Rank, WorldSize, MasterAddr, MasterPort, DistTimeout];

    public IEnumerable<Option> All =>
    [
        Dataset, Labels, ImageSize, ImageFit,
        Objective, Prediction, TimestepInput, Timesteps, BetaSchedule, BetaStart, BetaEnd, Levels, SigmaMin, SigmaMax, BetaMin, BetaMax, Eps,
        NoiseSampling, PMean, PStd, LossWeighting, MinSnrGamma,
        Hidden, Depth, Channels, ChannelMult, ResBlocks, Attention, NormGroups, Dropout, Precondition, SigmaData,
        Steps, Batch, LearningRate, Optimizer, WeightDecay, Warmup, LrDecay, GradClip, Ema, Seed, InitFrom, Threads,
        ClassConditional, LabelDropout,
        Out, Resume, CheckpointEvery, PreviewEvery, PreviewCount, PreviewSampler, PreviewSteps, LogEvery,
        Nproc, Rank, WorldSize, MasterAddr, MasterPort, DistTimeout,
    ];
}
