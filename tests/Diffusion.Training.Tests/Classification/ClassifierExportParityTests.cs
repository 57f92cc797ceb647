using Diffusion.Torch;
using Diffusion.Training.Classification;
using Diffusion.Training.Export;
using Diffusion.Training.Networks;
using Diffusion.Training.Tests.Export.Support;
using Xunit.Abstractions;

namespace Diffusion.Training.Tests.Classification;

public class ClassifierExportParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Configs => new(["mnist-default", "rgb-small"]);

    internal static DigitClassifierConfig Config(string name) => name switch
    {
        "mnist-default" => new DigitClassifierConfig(),
        // Three channels, an odd side (15 -> 8 -> 4 -> 2), four convolutions, dropout (the identity at inference).
        "rgb-small" => new DigitClassifierConfig { InChannels = 3, ImageSize = 15, Channels = [8, 12, 16, 16], FeatureDim = 20, NumClasses = 4, Dropout = 0.3 },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown test classifier"),
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void OnnxRuntimeMatchesTheLibtorchLogitsAndFeaturesAtBatchSizesOneAndThree(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(5);
        using var network = new DigitClassifier(Config(name), generator);
        network.eval();
        using var folder = new TempFolder();
        string path = folder.File("classifier.onnx");
        ClassifierExporter.Export(network, new ClassifierMetadata(), path);

        using var session = new ClassifierSession(path); // one session: the batch dimension is dynamic
        var c = network.Config;
        foreach (long batch in new long[] { 1, 3 })
        {
            long[] shape = [batch, c.InChannels, c.ImageSize, c.ImageSize];
            var images = torch.rand(shape, generator) * 2 - 1;
            var (logits, features) = network.forward(images);
            var (onnxLogits, onnxFeatures) = session.Run(images.ToArray<float>(), shape);

            Compare($"{name} batch {batch} logits", logits.ToArray<float>(), onnxLogits, batch * c.NumClasses);
            Compare($"{name} batch {batch} features", features.ToArray<float>(), onnxFeatures, batch * c.FeatureDim);
        }
    }

    private void Compare(string what, float[] expected, float[] actual, long length)
    {
        Assert.Equal(length, expected.Length);
        Assert.Equal(length, actual.Length);
        double maxAbs = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        double scale = expected.Max(v => Math.Abs((double)v));
        output.WriteLine($"{what}: max |onnx - torch| = {maxAbs:E2} (max |value| = {scale:F3})");
        Assert.True(scale > 1e-2, $"{what}: the output is too small ({scale}) for the comparison to mean anything");
        Assert.True(maxAbs <= Tolerance, $"{what}: ONNX Runtime differs from libtorch by {maxAbs:E3} > {Tolerance:E0}");
    }
}
