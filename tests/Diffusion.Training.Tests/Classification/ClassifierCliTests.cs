using System.Text.Json;
using Diffusion.Runtime.IO;
using Diffusion.Training.Export;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;

namespace Diffusion.Training.Tests.Classification;

/// <summary><c>diffusion-train classifier</c> as a child process: the model, the features file, and one-line errors.</summary>
public class ClassifierCliTests
{
    [Fact]
    public void TrainsReportsTheHeldOutAccuracyAndWritesTheModelAndTheFeatures()
    {
        using var folder = new TempFolder();
        string model = folder.File("models/classifier.onnx"), features = folder.File("reference/features.npy");
        var result = CliProcess.Run("classifier", "-d", "mnist", "--out", model, "--features", features,
            "--steps", "20", "--batch", "16", "--threads", "1", "--feature-dim", "16", "--seed", "3", "--log-every", "10");
        Assert.True(result.Code == 0, result.Error);
        Assert.Contains("step 20/20", result.Error);
        Assert.Matches("held-out accuracy: [0-9.]+ ?% \\([0-9,]+ of 2,000 images", result.Out);
        Assert.Contains(Path.GetFullPath(model), result.Out);
        Assert.Contains(Path.GetFullPath(features), result.Out);

        Assert.Equal([10_000, 16], NpyFile.Read(features).Shape);
        using var session = new ClassifierSession(model);
        using var json = JsonDocument.Parse(session.Metadata[ClassifierContract.MetadataKey]);
        var root = json.RootElement;
        Assert.Equal(("mnist", 16, 20L, 3UL), (root.GetProperty("dataset").GetString(), root.GetProperty("feature_dim").GetInt32(),
            root.GetProperty("steps").GetInt64(), root.GetProperty("seed").GetUInt64()));
        Assert.Equal((8000, 2000), (root.GetProperty("train_images").GetInt32(), root.GetProperty("heldout_images").GetInt32()));
    }

    [Fact]
    public void WithoutFeaturesTheFileGoesBesideTheModel()
    {
        using var folder = new TempFolder();
        var data = TinyImages.Load(30);
        NpyFile.Write(folder.File("tiny.npy"), data.Data, data.Shape);
        NpyFile.Write(folder.File("tiny-labels.npy"), [.. data.Labels!.Select(l => (float)l)], [data.Count]);
        var result = CliProcess.Run("classifier", "-d", folder.File("tiny.npy"), "--labels", folder.File("tiny-labels.npy"),
            "--out", folder.File("c.onnx"), "--steps", "3", "--batch", "4", "--threads", "1");
        Assert.True(result.Code == 0, result.Error);
        Assert.Equal([30, 64], NpyFile.Read(folder.File("c-features.npy")).Shape);
        using var session = new ClassifierSession(folder.File("c.onnx"));
        Assert.Contains("\"dataset\":\"tiny.npy\"", session.Metadata[ClassifierContract.MetadataKey]);
    }

    [Fact]
    public void DataAClassifierCannotLearnIsOneLineSayingWhy()
    {
        using var folder = new TempFolder();
        string[] rest = ["--out", folder.File("c.onnx"), "--steps", "1", "--threads", "1"];
        CliTests.AssertOneLineError(CliProcess.Run(["classifier", "-d", "ring", .. rest]), "holds points");
        var data = TinyImages.Load(10);
        NpyFile.Write(folder.File("unlabelled.npy"), data.Data, data.Shape);
        CliTests.AssertOneLineError(CliProcess.Run(["classifier", "-d", folder.File("unlabelled.npy"), .. rest]), "has none: use mnist, or a .npy dataset with --labels");
        CliTests.AssertOneLineError(CliProcess.Run("classifier", "-d", "mnist", "--out", folder.File("c.onnx"), "--threads", "0"), "--threads must be at least 1");
        CliTests.AssertOneLineError(CliProcess.Run("classifier", "-d", "mnist", "--out", folder.File("c.onnx"), "--heldout-every", "1"), "held-out interval 1");
        Assert.False(File.Exists(folder.File("c.onnx")));
    }
}
