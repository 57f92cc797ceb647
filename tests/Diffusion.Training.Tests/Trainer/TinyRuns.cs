using Diffusion.Torch;
using Diffusion.Training.Data;
using Diffusion.Training.Networks;
using Diffusion.Training.Objectives;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>Small runs on the ring of Gaussians that train in well under a second.</summary>
internal static class TinyRuns
{
    static TinyRuns()
    {
        // Tiny networks run fastest on one thread; a fixed count also keeps libtorch's reductions in one order.
        torch.set_num_threads(1);
    }

    public static readonly DatasetSpec Ring = new() { Name = "ring", ToyCount = 2000 };

    public static Dataset LoadRing() => Ring.Load();

    public static NetworkSpec TinyMlp => NetworkSpec.Mlp(new MlpDenoiserConfig { HiddenWidth = 16, Depth = 2, TimeEmbeddingDim = 8 });

    public static TrainingOptions Options(long steps) => new()
    {
        Steps = steps,
        BatchSize = 32,
        LearningRate = 1e-2,
        WarmupSteps = 3,
        EmaDecay = 0.9,
        Seed = 7,
        CheckpointEvery = 1000,
        PreviewEvery = 0,
        LogEvery = 5,
    };

    public static TrainingRun Run(Dataset dataset, TrainingOptions options, IObjective? objective = null) =>
        TrainingRun.Create(Ring, dataset, objective ?? DdpmObjective.Create(100), TinyMlp, options);

    /// <summary>Every parameter of the network, flattened, in order.</summary>
    public static float[] Weights(DenoisingNetwork network) => [.. network.Parameters.SelectMany(p => p.parameter.ToArray<float>())];
}
