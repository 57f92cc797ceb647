using Diffusion.Runtime.Generation;
using Diffusion.Torch.Modules;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Export;

/// <summary>
/// A network as the exporter sees it: the sample shape and conditioning its graph declares, its configuration
/// for provenance, and its forward pass written with a <see cref="ModuleEmitter"/>.
/// </summary>
internal abstract class NetworkGraph
{
    /// <summary>The network's type, recorded in the model's metadata (e.g. <c>UNet</c>).</summary>
    public abstract string TypeName { get; }

    /// <summary>The network's configuration as JSON, recorded in the model's metadata.</summary>
    public abstract string ConfigJson { get; }

    /// <summary>The shape [C, H, W] of one sample, input and output alike.</summary>
    public abstract SampleShape SampleShape { get; }

    /// <summary>
    /// For a fully convolutional network, what its height and width must be multiples of (2 to the number of
    /// times it halves the resolution): the graph then takes any such size, the trained one by default. Null
    /// for a network tied to its trained shape.
    /// </summary>
    public virtual int? SizeMultiple => null;

    /// <summary>The number of classes of a class-conditional network (label NumClasses is the null label), else null.</summary>
    public abstract int? NumClasses { get; }

    /// <summary>Writes the forward pass and returns the name of its output [N, C, H, W]; <paramref name="classLabels"/> is null when unconditional.</summary>
    public abstract string Emit(ModuleEmitter emitter, string sample, string timestep, string? classLabels);

    /// <summary>The exportable view of <paramref name="network"/>, or a clear error for a module that is not a whole network.</summary>
    public static NetworkGraph For(Module network) => network switch
    {
        UNet unet => new UNetGraph(unet),
        MlpDenoiser mlp => new MlpDenoiserGraph(mlp),
        null => throw new ArgumentNullException(nameof(network)),
        _ => throw new NotSupportedException($"cannot export a {network.GetType().Name} to ONNX: export a whole network ({nameof(UNet)} or {nameof(MlpDenoiser)})"),
    };
}
