using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Torch;
using Diffusion.Torch.Modules;
using Diffusion.Training.Networks;
using Diffusion.Training.Objectives;

namespace Diffusion.Training.Training;

/// <summary>
/// A network of the model zoo (<see cref="MlpDenoiser"/> or <see cref="UNet"/>) behind the one
/// forward signature objectives and samplers use, with the spec that rebuilds it. Owns the module.
/// </summary>
public sealed class DenoisingNetwork : IDenoisingNetwork, IDisposable
{
    private readonly Func<Tensor, Tensor, Tensor?, Tensor> forward;

    private DenoisingNetwork(NetworkSpec spec, Module module, int? numClasses, Func<Tensor, Tensor, Tensor?, Tensor> forward)
    {
        Spec = spec;
        Module = module;
        NumClasses = numClasses;
        this.forward = forward;
        Parameters = [.. module.named_parameters()];
    }

    /// <summary>How to rebuild this network.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The libtorch module (an <see cref="MlpDenoiser"/> or a <see cref="UNet"/>).</summary>
    public Module Module { get; }

    /// <summary>Class labels the network is conditioned on (label NumClasses is the null label), or null.</summary>
    public int? NumClasses { get; }

    /// <summary>The trainable parameters with their stable dotted names, in registration order.</summary>
    public IReadOnlyList<(string name, Parameter parameter)> Parameters { get; }

    /// <summary>Wraps an MLP denoiser (which takes no class labels).</summary>
    public static DenoisingNetwork From(NetworkSpec spec, MlpDenoiser mlp)
    {
        ArgumentNullException.ThrowIfNull(mlp);
        return new(spec, mlp, null, (x, t, labels) => labels is null
            ? mlp.forward(x, t)
            : throw new ArgumentException("the MLP denoiser takes no class labels: train class-conditional models with the UNet", nameof(labels)));
    }

    /// <summary>Wraps a UNet.</summary>
    public static DenoisingNetwork From(NetworkSpec spec, UNet unet)
    {
        ArgumentNullException.ThrowIfNull(unet);
        return new(spec, unet, unet.Config.NumClasses, unet.forward);
    }

    /// <inheritdoc />
    public Preconditioning? Preconditioning => Spec.Preconditioning;

    /// <inheritdoc />
    public Tensor Forward(Tensor sample, Tensor timestep, Tensor? classLabels) => forward(sample, timestep, classLabels);

    /// <summary>Throws unless the network takes samples shaped <paramref name="shape"/>.</summary>
    /// <exception cref="DiffusionException">The shape does not fit; the message says what would.</exception>
    public void CheckAccepts(SampleShape shape)
    {
        switch (Module)
        {
            case MlpDenoiser mlp when shape.Height != 1 || shape.Width != 1 || shape.Channels != mlp.Config.DataDimension:
                throw new DiffusionException(
                    $"the MLP denoiser takes points of {mlp.Config.DataDimension} values ([{mlp.Config.DataDimension}, 1, 1]), not samples shaped {shape}: use the UNet for images.");
            case UNet unet when shape.Channels != unet.Config.InChannels:
                throw new DiffusionException($"the UNet takes {unet.Config.InChannels} channel(s), but the samples have {shape.Channels}.");
            case UNet unet when shape.Height != shape.Width || shape.Height % unet.Config.SizeDivisor != 0:
                throw new DiffusionException(
                    $"the UNet with {unet.Config.Levels} levels takes square images whose side is a multiple of {unet.Config.SizeDivisor}, not {shape.Height}x{shape.Width}: pad or resize the images (e.g. --image-size 32).");
        }
    }

    /// <summary>Releases the module's tensors.</summary>
    public void Dispose() => Module.Dispose();
}
