using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Models;

/// <summary>
/// Every diffusion model in models/ loads and samples; the ring models draw the ring. The evaluation classifiers
/// (<c>*-classifier.onnx</c>) are not diffusion models: Diffusion.Training.Tests checks the shipped one.
/// </summary>
public class ShippedModelsTests
{
    private static string ModelsFolder() => RepositoryPaths.Models;

    public static TheoryData<string> ShippedModels()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(ModelsFolder(), "*.onnx", SearchOption.AllDirectories).Order())
        {
            if (!file.EndsWith("-classifier.onnx", StringComparison.Ordinal)) data.Add(Path.GetRelativePath(ModelsFolder(), file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public void ShippedModelLoadsAndSamplesFiniteValuesInItsDataRange(string relativePath)
    {
        using var model = OnnxDiffusionModel.Load(Path.Combine(ModelsFolder(), relativePath), new ModelLoadOptions { Device = "cpu" });
        foreach (var sampler in new[] { "ddim", "heun" })
        {
            var samples = Generator.Generate(model, new GenerationOptions { Sampler = sampler, Steps = 20, Count = 8, Seed = 1 });
            Assert.All(samples.Data, v => Assert.True(float.IsFinite(v)));
            double margin = model.Config.DataMax - model.Config.DataMin;
            Assert.All(samples.Data, v => Assert.InRange(v, model.Config.DataMin - margin, model.Config.DataMax + margin));
        }
    }

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public void RingModelsPutTheirSamplesOnTheRing(string relativePath)
    {
        if (!Path.GetFileName(relativePath).StartsWith("ring", StringComparison.Ordinal)) return;
        using var model = OnnxDiffusionModel.Load(Path.Combine(ModelsFolder(), relativePath), new ModelLoadOptions { Device = "cpu" });
        var ring = StandardMixtures.Ring; // the training data of every ring model (models/README.md)
        var samples = Generator.Generate(model, new GenerationOptions
        {
            Sampler = "heun", Steps = 40, Count = 500, Seed = 2,
            Spacing = Runtime.Sampling.TimestepSpacing.Karras
        }).Data;
        int near = 0;
        for (int i = 0; i < 500; i++)
        {
            double x = samples[2 * i], y = samples[2 * i + 1];
            if (Enumerable.Range(0, 8).Any(k => Math.Pow(x - ring.Means[k][0], 2) + Math.Pow(y - ring.Means[k][1], 2) < 0.3 * 0.3)) near++;
        }
        Assert.True(near >= 0.8 * 500, $"{near} of 500 samples lie within 3 std of a ring component");
    }
}
