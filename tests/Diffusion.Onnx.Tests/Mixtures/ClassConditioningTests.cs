using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Onnx.Tests.Support;
using Diffusion.Testing;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Onnx.Tests.Mixtures;

public sealed class ClassConditioningTests
{
    private static readonly int[] SampleShape = [1, 2, 2];

    [Theory]
    [InlineData(PredictionType.Epsilon, TimestepShape.Batch)]
    [InlineData(PredictionType.Sample, TimestepShape.Batch)]
    [InlineData(PredictionType.Score, TimestepShape.One)]
    [InlineData(PredictionType.VPrediction, TimestepShape.Scalar)]
    public void LabelRestrictsToItsComponentAndNullLabelKeepsTheMixture(PredictionType prediction, TimestepShape timestepShape)
    {
        var mixture = StandardMixtures.Uneven;
        var k = mixture.ComponentCount;
        var options = new GaussianMixtureModelOptions
        {
            SampleShape = SampleShape,
            Scheduler = Configs.Discrete() with { PredictionType = prediction },
            TimestepShape = timestepShape,
            ClassConditional = true,
        };
        var model = GaussianMixtureModel.Build(mixture.ToComponents(), options);

        long[] labels = [0, 2, k, 1];
        double[] timesteps = timestepShape == TimestepShape.Batch ? [300.5, 500, 650.25, 900] : [500];
        double TimeOf(int n) => timesteps[timestepShape == TimestepShape.Batch ? n : 0];
        var alphaBars = ReferenceSchedules.AlphaBars(ReferenceSchedules.Betas("linear"));
        var levels = Enumerable.Range(0, labels.Length).Select(n => ReferenceSchedules.Discrete(alphaBars, TimeOf(n))).ToArray();
        // Points from the full mixture, so a label usually disagrees with where the point came from.
        var points = TestMixtures.NoisyPoints(mixture, levels, seed: 5, v => (float)v);
        long[] timestepDims = timestepShape switch { TimestepShape.Batch => [labels.Length], TimestepShape.One => [1], _ => [] };

        var output = OrtRunner.Run(model,
            new OrtRunner.Input("sample", ElementType.Float32, points.SelectMany(p => p).ToArray(), [labels.Length, 1, 2, 2]),
            new OrtRunner.Input("timestep", ElementType.Float32, timesteps, timestepDims),
            new OrtRunner.Input("class_labels", ElementType.Int64, labels.Select(l => (double)l).ToArray(), [labels.Length]));

        var d = mixture.Dimension;
        for (var n = 0; n < labels.Length; n++)
        {
            var conditioned = labels[n] == k ? mixture : mixture.Component((int)labels[n]);
            var expected = ExactPrediction.Of(conditioned, prediction, points[n], levels[n].Alpha, levels[n].Sigma);
            Assertions.CloseRelative(expected, output.AsSpan(n * d, d), 3e-5, $"label {labels[n]}");
        }
    }

    [Fact]
    public void ConditionalModelDeclaresInt64LabelsAndWritesClassCountToConfig()
    {
        var options = new GaussianMixtureModelOptions { SampleShape = SampleShape, ClassConditional = true };
        var model = GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), options);
        using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model));

        var labels = session.InputMetadata["class_labels"];
        Assert.Equal(typeof(long), labels.ElementType);
        Assert.Equal(["batch"], labels.SymbolicDimensions);
        var config = SchedulerConfig.Parse(session.ModelMetadata.CustomMetadataMap[SchedulerConfig.MetadataKey], "embedded");
        Assert.Equal(3, config.NumClasses);
        Assert.Equal(3, config.NullClassLabel);
    }
}
