using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Denoising;
using Diffusion.Onnx.Tests.Support;
using Diffusion.Testing;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Onnx.Tests.Mixtures;

public sealed class MixtureModelShapeTests
{
    [Fact]
    public void FixedBatchAndCustomNamesAreDeclaredAndUsed()
    {
        var options = new GaussianMixtureModelOptions
        {
            SampleShape = [1, 2, 2],
            BatchSize = 2,
            Scheduler = Configs.Ve with { PredictionType = PredictionType.Sample },
            SampleName = "x",
            TimestepName = "sigma",
            OutputName = "denoised",
        };
        var model = GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), options);
        using (var session = new InferenceSession(model.ToByteArray()))
        {
            Assert.Equal(["x", "sigma"], session.InputNames);
            Assert.Equal(["denoised"], session.OutputNames);
            Assert.Equal([2, 1, 2, 2], session.InputMetadata["x"].Dimensions);
            Assert.Equal([2], session.InputMetadata["sigma"].Dimensions);
        }

        double[] sigmas = [0.5, 3];
        var points = TestMixtures.NoisyPoints(StandardMixtures.Uneven, sigmas.Select(ReferenceSchedules.Ve).ToArray(), seed: 4, v => (float)v);
        var output = OrtRunner.Run(model,
            new OrtRunner.Input("x", ElementType.Float32, points.SelectMany(p => p).ToArray(), [2, 1, 2, 2]),
            new OrtRunner.Input("sigma", ElementType.Float32, sigmas, [2]));

        for (var n = 0; n < 2; n++)
            Assertions.CloseRelative(StandardMixtures.Uneven.Denoised(points[n], 1, sigmas[n]), output.AsSpan(4 * n, 4), 3e-5, $"sigma {sigmas[n]}");
    }

    [Fact]
    public void Float16ModelDeclaresFloat16SampleAndOutput()
    {
        var options = new GaussianMixtureModelOptions { SampleShape = [1, 2, 2], SampleType = ElementType.Float16, TimestepType = ElementType.Float16 };
        using var session = new InferenceSession(GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), options).ToByteArray());

        Assert.Equal(typeof(Float16), session.InputMetadata["sample"].ElementType);
        Assert.Equal(typeof(Float16), session.InputMetadata["timestep"].ElementType);
        Assert.Equal(typeof(Float16), session.OutputMetadata["out_sample"].ElementType);
    }

    [Fact]
    public void DiscreteFloatTimestepsBeyondTheScheduleAreClamped()
    {
        var options = new GaussianMixtureModelOptions { SampleShape = [1, 2, 2], Scheduler = Configs.Discrete() with { PredictionType = PredictionType.Epsilon } };
        var model = GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), options);
        double[] point = [0.3, -0.2, 0.8, 0.1];

        double[] Run(double t) => OrtRunner.Run(model,
            new OrtRunner.Input("sample", ElementType.Float32, point, [1, 1, 2, 2]),
            new OrtRunner.Input("timestep", ElementType.Float32, [t], [1]));

        Assert.Equal(Run(999), Run(1500));
        Assert.Equal(Run(0), Run(-4));
    }
}
