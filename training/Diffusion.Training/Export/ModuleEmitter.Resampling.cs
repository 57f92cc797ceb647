using Diffusion.Onnx.Graphs;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Export;

// Changes of resolution. Downsample is its strided convolution (see Emit).
internal sealed partial class ModuleEmitter
{
    /// <summary>
    /// Nearest-neighbour ×2 then the optional convolution. With the asymmetric coordinate transform and floor
    /// rounding, Resize reads output pixel (i, j) from input pixel (⌊i/2⌋, ⌊j/2⌋), as torch's nearest interpolation does.
    /// </summary>
    public string Upsample(Upsample upsample, string x)
    {
        var upsampled = Graph.Node("Resize", [x, "", Graph.Constant([1f, 1f, 2f, 2f])],
            OnnxAttribute.String("mode", "nearest"),
            OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"),
            OnnxAttribute.String("nearest_mode", "floor"));
        return upsample.conv is null ? upsampled : Conv2d(upsample.conv, upsampled);
    }
}
