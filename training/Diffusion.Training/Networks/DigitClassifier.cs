using Diffusion.Torch;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Networks;

/// <summary>
/// A small CNN for images [N, C, S, S] in [-1, 1]: 3x3 convolutions with SiLU (the first keeps the resolution, each
/// later one halves it), flatten, features = SiLU(features(h)) of width <see cref="DigitClassifierConfig.FeatureDim"/>,
/// logits = logits(dropout(features)). The features are the space the runtime's evaluation measures distances in.
/// Parameter names: <c>convs.{k}.*</c>, <c>features.*</c>, <c>logits.*</c>.
/// </summary>
public sealed class DigitClassifier : Module
{
    /// <summary>Builds the network; <paramref name="generator"/> (or the global generator) draws the initial weights.</summary>
    public DigitClassifier(DigitClassifierConfig config, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        convs = RegisterModule("convs", new ModuleList<Conv2d>());
        long inChannels = config.InChannels;
        for (int k = 0; k < config.Channels.Length; k++)
        {
            convs.Add(new Conv2d(inChannels, config.Channels[k], 3, stride: k == 0 ? 1 : 2, padding: 1, generator: generator));
            inChannels = config.Channels[k];
        }
        features = RegisterModule("features", new Linear(config.FlattenedSize, config.FeatureDim, generator: generator));
        dropout = RegisterModule("dropout", new Dropout(config.Dropout));
        logits = RegisterModule("logits", new Linear(config.FeatureDim, config.NumClasses, generator: generator));
    }

    /// <summary>The configuration the network was built from.</summary>
    public DigitClassifierConfig Config { get; }

    /// <summary>The convolutions, highest resolution first.</summary>
    public ModuleList<Conv2d> convs { get; }

    /// <summary>The feature layer over the flattened last feature map.</summary>
    public Linear features { get; }

    /// <summary>Dropout on the features (training only).</summary>
    public Dropout dropout { get; }

    /// <summary>The class logits over the features.</summary>
    public Linear logits { get; }

    /// <summary>The class logits [N, NumClasses] and the features [N, FeatureDim] of <paramref name="image"/> [N, C, S, S].</summary>
    public (Tensor Logits, Tensor Features) forward(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var shape = image.shape;
        int c = Config.InChannels, s = Config.ImageSize;
        if (shape.Length != 4 || shape[1] != c || shape[2] != s || shape[3] != s)
        {
            throw new ArgumentException($"DigitClassifier expects images shaped [N, {c}, {s}, {s}], got [{string.Join(", ", shape)}]", nameof(image));
        }

        using var scope = torch.NewDisposeScope();
        var h = image;
        foreach (var conv in convs) h = conv.forward(h).silu();
        var f = features.forward(h.flatten(1)).silu();
        var y = logits.forward(dropout.forward(f));
        return (y.MoveToOuterDisposeScope(), f.MoveToOuterDisposeScope());
    }
}
