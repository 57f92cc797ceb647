using System.Numerics.Tensors;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Schedules;
using Diffusion.Torch;

namespace Diffusion.Training.Training;

/// <summary>
/// Runs a libtorch network for one batch size without gradients, in evaluation mode, and turns its
/// output into the clean-sample estimate with the runtime's <see cref="PredictionConversion"/>
/// (clipped to <c>clip_sample_range</c> when the config says so, as the ONNX denoiser does).
/// </summary>
internal sealed class TorchDenoiser : IDenoiser
{
    private readonly TorchDiffusionModel model;
    private readonly long[] shape;
    private readonly long[]? labels;
    private readonly float[] output;
    private readonly CancellationToken cancellation;
    private readonly bool wasTraining;

    public TorchDenoiser(TorchDiffusionModel model, int batchSize, long[]? labels, CancellationToken cancellation)
    {
        this.model = model;
        this.labels = labels;
        this.cancellation = cancellation;
        var s = model.SampleShape;
        shape = [batchSize, s.Channels, s.Height, s.Width];
        output = new float[batchSize * s.Size];
        wasTraining = model.Network.Module.training;
        model.Network.Module.eval();
    }

    public void Denoise(ReadOnlySpan<float> x, TimePoint point, Span<float> denoised)
    {
        cancellation.ThrowIfCancellationRequested();
        var config = model.Config;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            var sample = torch.FromData(x, shape);
            var preconditioning = model.Network.Preconditioning;
            var input = preconditioning is null ? sample : sample * preconditioning.InputFactor(point.Alpha, point.Sigma);
            var timestep = torch.full([shape[0]], config.TimestepValue(point));
            var classLabels = labels is null ? null : torch.FromData<long>(labels, [labels.Length]);
            var prediction = model.Network.Forward(input, timestep, classLabels);
            if (preconditioning is { Output: true })
            {
                // D = c_skip x / alpha + c_out F (EDM eq. 7): the clean-sample prediction the config names.
                prediction = sample * preconditioning.SkipFactor(point.Alpha, point.Sigma) + prediction * preconditioning.OutputFactor(point.Alpha, point.Sigma);
            }
            prediction.CopyTo<float>(output);
        }
        config.ToDenoised(x, output, point, denoised);
    }

    public void Dispose() => model.Network.Module.train(wasTraining);
}
