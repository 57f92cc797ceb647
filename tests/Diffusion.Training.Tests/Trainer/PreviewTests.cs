using System.Buffers.Binary;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>Previews are drawn by the runtime's samplers from the averaged network and written as PNGs.</summary>
public class PreviewTests
{
    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal([137, 80, 78, 71, 13, 10, 26, 10], bytes[..8]);
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public void PointsArePlottedEveryKStepsAndAtTheEnd()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.LoadRing();
        var options = TinyRuns.Options(12) with { PreviewEvery = 5, PreviewCount = 200, PreviewSteps = 5 };
        using var trainer = Training.Trainer.Start(TinyRuns.Run(data, options), data, folder.Path);
        var messages = new List<string>();
        trainer.Train(log: messages.Add);
        string[] previews = [.. Directory.GetFiles(folder.Path, "preview-*.png").Select(Path.GetFileName).Order()!];
        Assert.Equal(["preview-0000005.png", "preview-0000010.png", "preview-0000012.png"], previews);
        Assert.Equal((512, 512), PngSize(folder.File(previews[0])));
        Assert.Contains(messages, m => m.StartsWith("preview: 200 samples (ddim, 5 steps)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("checkpoint: step 12", StringComparison.Ordinal));
    }

    [Fact]
    public void ClassConditionalImagesAreDrawnOneRowPerClass()
    {
        _ = TinyRuns.Ring; // one libtorch thread
        using var folder = new TempFolder();
        var data = TinyImages.Load();
        var options = TinyRuns.Options(3) with { BatchSize = 8, ClassConditional = true, PreviewEvery = 3, PreviewCount = 6, PreviewSteps = 4 };
        var run = TrainingRun.Create(TinyImages.Spec, data, NcsnObjective.Create(levels: 4, sigmaMax: 2), TinyImages.UNet(conditional: true), options);
        using var trainer = Training.Trainer.Start(run, data, folder.Path);
        trainer.Train();
        // 2 samples per class of 3: 2 columns and 3 rows of 4x4 tiles scaled to 64x64, 2 pixels apart.
        Assert.Equal((2 * 64 + 2, 3 * 64 + 2 * 2), PngSize(folder.File("preview-0000003.png")));

        // The rows are the classes in order; a partial row is filled up (7 asked: 3 per class).
        var samples = Preview.Sample(new TorchDiffusionModel(trainer.EmaModel, run.ModelConfig, new(data.Channels, data.Height, data.Width)), 7, "ddim", 2, seed: 1);
        Assert.Equal(9, samples.Count);
        Assert.Equal([0, 0, 0, 1, 1, 1, 2, 2, 2], samples.Labels);
    }
}
