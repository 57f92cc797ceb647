using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;
using Onnx;

namespace Diffusion.Onnx.Mixtures;

/// <summary>
/// The demo model shipped as <c>models/ring-demo.onnx</c>: the exact epsilon predictor of 2-D
/// data on a ring of 8 Gaussians (radius 1, std 0.1, equal weights), shaped like an image model
/// (<c>sample</c> [batch, 2, 1, 1]) on diffusers' default DDPM schedule (T = 1000, linear betas
/// 1e-4..0.02) with an int64 timestep per sample.
/// </summary>
public static class RingDemo
{
    /// <summary>The file's path relative to the repository root.</summary>
    public const string RelativePath = "models/ring-demo.onnx";

    /// <summary>The mixture: 8 components on the unit circle, std 0.1.</summary>
    public static MixtureComponents Mixture { get; } = MixtureComponents.Ring(8, radius: 1, std: 0.1);

    /// <summary>The model's contract and embedded scheduler config.</summary>
    public static GaussianMixtureModelOptions Options { get; } = new()
    {
        SampleShape = [2, 1, 1],
        TimestepType = ElementType.Int64,
        TimestepShape = TimestepShape.Batch,
        Scheduler = new SchedulerConfig
        {
            ClassName = "DDPMScheduler",
            NoiseSchedule = "discrete",
            NumTrainTimesteps = 1000,
            BetaSchedule = "linear",
            BetaStart = 1e-4,
            BetaEnd = 0.02,
            PredictionType = PredictionType.Epsilon,
            TimestepInput = TimestepInput.Index,
            TimestepSpacing = TimestepSpacing.Leading,
            // The ring reaches past +-1: say so, so no scheduler clips x_0 by diffusers' default.
            ClipSample = false,
            DataMin = -1.5,
            DataMax = 1.5,
        },
    };

    /// <summary>Builds the model; the bytes are the same on every run.</summary>
    public static ModelProto Build() => GaussianMixtureModel.Build(Mixture, Options);
}
