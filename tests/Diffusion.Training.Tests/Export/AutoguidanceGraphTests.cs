using Diffusion.Onnx.Graphs;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Training.Export;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;
using Onnx;

namespace Diffusion.Training.Tests.Export;

/// <summary><see cref="AutoguidanceGraph"/> through <c>edit-model --guide</c>: two exports joined into one guided graph.</summary>
public sealed class AutoguidanceGraphTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("tiny-unet", 2.5)]
    [InlineData("mlp-add", 0.5)]
    public void TheJoinedGraphComputesTheGuidedMixtureOfTheTwoGraphs(string network, double weight)
    {
        string main = Export(network, "main.onnx", seed: 11), guide = Export(network, "guide.onnx", seed: 12), joined = _folder.File("joined.onnx");

        var shape = ModelEditor.Apply(main, joined, new ModelEditor.Edit(GuidePath: guide, GuideWeight: weight));

        // Three samples at three noise levels, against the formula applied to the two files' own outputs.
        long[] dims = [3, shape.Channels, shape.Height, shape.Width];
        var x = Enumerable.Range(0, 3 * shape.Size).Select(i => (float)Math.Sin(0.7 * i)).ToArray();
        float[] timesteps = [10, 500, 990];
        long[]? labels = network == "tiny-unet" ? [0, 1, 2] : null;
        float[] Run(string path)
        {
            using var model = new OrtModel(path);
            return model.Run(x, dims, timesteps, labels);
        }
        float[] j = Run(joined), m = Run(main), g = Run(guide);
        Assert.Equal(x.Length, j.Length);
        for (int i = 0; i < j.Length; i++) Assert.Equal(g[i] + weight * (m[i] - g[i]), j[i], 1e-4 * (1 + Math.Abs(j[i])));
        Assert.Contains(Enumerable.Range(0, j.Length), i => Math.Abs(m[i] - g[i]) > 0.01);
    }

    [Fact]
    public void WeightOneIsTheMainModelAndTheMetadataRecordsTheGuide()
    {
        string main = Export("tiny-unet", "main.onnx", seed: 11), guide = Export("tiny-unet", "guide.onnx", seed: 12), joined = _folder.File("joined.onnx");

        ModelEditor.Apply(main, joined, new ModelEditor.Edit(GuidePath: guide, GuideWeight: 1));

        using (var one = Load(joined))
        using (var alone = Load(main))
        {
            var a = Generate(alone);
            var b = Generate(one);
            for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 4);
        }
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(joined));
        Assert.Equal("1", proto.MetadataProps.Single(p => p.Key == AutoguidanceGraph.WeightKey).Value);
        Assert.StartsWith("UNet {", proto.MetadataProps.Single(p => p.Key == AutoguidanceGraph.GuideNetworkKey).Value);
        Assert.Contains(proto.Graph.Initializer, t => t.Name.StartsWith(AutoguidanceGraph.GuidePrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void MismatchedOrAlreadyGuidedModelsAreRefusedAndNothingIsWritten()
    {
        string main = Export("tiny-unet", "main.onnx", seed: 11), mlp = Export("mlp-add", "mlp.onnx", seed: 12), joined = _folder.File("joined.onnx");
        string vp = TestNetworks.Export("tiny-unet", _folder.File("vp.onnx"), seed: 12, TestNetworks.Ddpm with { NoiseSchedule = "vp" });

        var otherData = Assert.ThrowsAny<DiffusionException>(() => ModelEditor.Apply(main, joined, new ModelEditor.Edit(GuidePath: mlp, GuideWeight: 2)));
        Assert.Contains("guide's", otherData.Message);
        var otherProcess = Assert.ThrowsAny<DiffusionException>(() => ModelEditor.Apply(main, joined, new ModelEditor.Edit(GuidePath: vp, GuideWeight: 2)));
        Assert.Contains("scheduler config", otherProcess.Message);
        Assert.Contains("noise_schedule: \"discrete\" in the main model, \"vp\" in the guide", otherProcess.Message);
        var negative = Assert.ThrowsAny<DiffusionException>(() => ModelEditor.Apply(main, joined, new ModelEditor.Edit(GuidePath: main, GuideWeight: -1)));
        Assert.Contains("0 or more", negative.Message);
        Assert.False(File.Exists(joined));

        ModelEditor.Apply(main, joined, new ModelEditor.Edit(GuidePath: main, GuideWeight: 2));
        var twice = Assert.ThrowsAny<DiffusionException>(() => ModelEditor.Apply(joined, _folder.File("twice.onnx"), new ModelEditor.Edit(GuidePath: main, GuideWeight: 2)));
        Assert.Contains("already autoguided", twice.Message);
    }

    [Fact]
    public void AnOlderExportWhoseConfigLeavesOutDefaultKeysCanGuide()
    {
        string main = Export("tiny-unet", "main.onnx", seed: 11), guide = Export("tiny-unet", "guide.onnx", seed: 12), joined = _folder.File("joined.onnx");
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(guide));
        var config = proto.MetadataProps.Single(p => p.Key == SchedulerConfig.MetadataKey);
        var json = System.Text.Json.Nodes.JsonNode.Parse(config.Value)!.AsObject();
        Assert.True(json.Remove("thresholding") && json.Remove("use_karras_sigmas"));
        config.Value = json.ToJsonString();
        proto.Save(guide);

        ModelEditor.Apply(main, joined, new ModelEditor.Edit(GuidePath: guide, GuideWeight: 2));

        Assert.True(File.Exists(joined));
    }

    [Fact]
    public void TheCommandJoinsAGuideAndNeedsItsWeight()
    {
        string main = Export("tiny-unet", "main.onnx", seed: 11), guide = Export("tiny-unet", "guide.onnx", seed: 12), joined = _folder.File("joined.onnx");

        var noWeight = CliProcess.Run("edit-model", main, "--out", joined, "--guide", guide);
        Assert.Equal(1, noWeight.Code);
        Assert.Contains("--guide and --guide-weight go together", noWeight.Error);

        var edit = CliProcess.Run("edit-model", main, "--out", joined, "--guide", guide, "--guide-weight", "2");
        Assert.True(edit.Code == 0, edit.Error);
        Assert.Contains("at w = 2", edit.Out);
        Assert.True(File.Exists(joined));
    }

    private string Export(string network, string fileName, ulong seed) => TestNetworks.Export(network, _folder.File(fileName), seed);

    private static OnnxDiffusionModel Load(string path) => OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Threads = 1 });

    private static float[] Generate(IDiffusionModel model) => Runtime.Generation.Generator.Generate(model, new GenerationOptions
    {
        Sampler = "ddim", Steps = 4, Count = 2, ClassLabels = model.Config.NumClasses > 0 ? [1, 2] : null,
    }).Data.ToArray();
}
