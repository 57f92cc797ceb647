using Diffusion.Training.Data;
using Diffusion.Training.Networks;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>A labelled set of 4x4 one-channel images and a UNet small enough to train in milliseconds.</summary>
internal static class TinyImages
{
    public const int Classes = 3;

    public static readonly DatasetSpec Spec = new() { Name = "tiny-images" };

    /// <summary>Image i is a horizontal gradient whose slope depends on its class i % 3, plus a little pattern.</summary>
    public static Dataset Load(int count = 60)
    {
        var data = new float[count * 16];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % Classes;
            for (int p = 0; p < 16; p++) data[i * 16 + p] = Math.Clamp((labels[i] - 1) * (p % 4 - 1.5f) / 1.5f + 0.1f * MathF.Sin(i + p), -1f, 1f);
        }
        return new Dataset("tiny-images", data, [count, 1, 4, 4], DataRange.Symmetric, labels, Classes);
    }

    public static NetworkSpec UNet(bool conditional, int baseChannels = 4) => NetworkSpec.UNet(new UNetConfig
    {
        InChannels = 1,
        ImageSize = 4,
        BaseChannels = baseChannels,
        ChannelMultipliers = [1, 2],
        ResBlocksPerLevel = 1,
        AttentionResolutions = [],
        MiddleAttention = true,
        NormGroups = 2,
        Dropout = 0.2,
        NumClasses = conditional ? Classes : null,
    });
}
