using System.CommandLine;

namespace Diffusion.Training.Cli.Commands;

/// <summary>The options of <c>diffusion-train classifier</c>.</summary>
internal sealed class ClassifierOptionSet
{
    public readonly Option<string> Dataset = new("--dataset", "-d") { Description = "labelled image data: mnist, or the path of a .npy file [N, C, H, W] with --labels", Required = true };
    public readonly Option<string?> Labels = new("--labels") { Description = "class labels of a .npy dataset: a .npy of N integral values 0, 1, 2, ..." };
    public readonly Option<string> Out = new("--out", "-o") { Description = "the .onnx file to write (input image; outputs logits and features)", Required = true };
    public readonly Option<string?> Features = new("--features") { Description = "the .npy of the features of every dataset image, in its order (default: beside --out, named NAME-features.npy)" };
    public readonly Option<long> Steps = new("--steps", "-n") { Description = "training steps", DefaultValueFactory = _ => 3000 };
    public readonly Option<int> Batch = new("--batch", "-b") { Description = "minibatch size", DefaultValueFactory = _ => 64 };
    public readonly Option<double> LearningRate = new("--lr") { Description = "Adam's learning rate after warm-up (it then decays to 0 along a half cosine)", DefaultValueFactory = _ => 1e-3 };
    public readonly Option<ulong> Seed = new("--seed") { Description = "seed of the weights, minibatches, shifts and dropout: the same seed trains the same classifier", DefaultValueFactory = _ => 0 };
    public readonly Option<int?> Threads = new("--threads") { Description = "libtorch CPU threads (default: all cores)" };
    public readonly Option<int> FeatureDim = new("--feature-dim") { Description = "width of the feature layer (the space distances are measured in)", DefaultValueFactory = _ => 64 };
    public readonly Option<double> Dropout = new("--dropout") { Description = "dropout on the features during training", DefaultValueFactory = _ => 0.0 };
    public readonly Option<int> MaxShift = new("--max-shift") { Description = "largest random shift of the training images, in pixels (0 disables it)", DefaultValueFactory = _ => 2 };
    public readonly Option<int> HeldoutEvery = new("--heldout-every") { Description = "hold out every k-th image to measure accuracy (0: train on all)", DefaultValueFactory = _ => 5 };
    public readonly Option<long> LogEvery = new("--log-every") { Description = "print the mean loss every this many steps (when not on a terminal)", DefaultValueFactory = _ => 100 };

    public ClassifierOptionSet()
    {
        foreach (var option in All) FiniteValues.Require(option);
    }

    public IEnumerable<Option> All => [Dataset, Labels, Out, Features, Steps, Batch, LearningRate, Seed, Threads, FeatureDim, Dropout, MaxShift, HeldoutEvery, LogEvery];
}
