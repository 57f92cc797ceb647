using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Denoising;
using Diffusion.Onnx.Tests.Support;

namespace Diffusion.Onnx.Tests.Mixtures;

/// <summary>
/// The built models, run in ONNX Runtime, give the exact double-precision prediction of the
/// mixture for every schedule, prediction type, timestep type and shape, and sample type.
/// </summary>
public sealed class MixtureModelOutputTests
{
    private const double Float32Tolerance = 3e-5;
    private const double Float16Tolerance = 1e-2;
    private static readonly int[] SampleShape = [1, 2, 2];

    public static TheoryData<string, PredictionType, ElementType, TimestepShape, ElementType> Cases()
    {
        var data = new TheoryData<string, PredictionType, ElementType, TimestepShape, ElementType>();
        foreach (var schedule in ScheduleCase.All)
            foreach (var prediction in Enum.GetValues<PredictionType>())
                foreach (var timestepType in new[] { ElementType.Float32, ElementType.Float16, ElementType.Int64 })
                    foreach (var shape in Enum.GetValues<TimestepShape>())
                        foreach (var sampleType in new[] { ElementType.Float32, ElementType.Float16 })
                            if (timestepType != ElementType.Int64 || schedule.IndexTimesteps is not null)
                                data.Add(schedule.Name, prediction, timestepType, shape, sampleType);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputEqualsExactPrediction(string scheduleName, PredictionType prediction, ElementType timestepType,
        TimestepShape timestepShape, ElementType sampleType)
    {
        var schedule = ScheduleCase.Named(scheduleName);
        var options = new GaussianMixtureModelOptions
        {
            SampleShape = SampleShape,
            Scheduler = schedule.Config with { PredictionType = prediction },
            SampleType = sampleType,
            TimestepType = timestepType,
            TimestepShape = timestepShape,
        };
        var model = GaussianMixtureModel.Build(StandardMixtures.Uneven.ToComponents(), options);

        var timesteps = timestepType == ElementType.Int64 ? schedule.IndexTimesteps! : schedule.Timesteps;
        var fed = (timestepShape == TimestepShape.Batch ? timesteps : [timesteps[1]])
            .Select(t => OrtRunner.Quantize(t, timestepType)).ToArray();
        var levels = Enumerable.Range(0, timesteps.Length)
            .Select(n => schedule.NoiseLevel(fed[timestepShape == TimestepShape.Batch ? n : 0])).ToArray();
        var points = TestMixtures.NoisyPoints(StandardMixtures.Uneven, levels, seed: 11, v => OrtRunner.Quantize(v, sampleType));
        long[] timestepDims = timestepShape switch
        {
            TimestepShape.Batch => [fed.Length],
            TimestepShape.One => [1],
            _ => [],
        };

        var output = OrtRunner.Run(model,
            new OrtRunner.Input("sample", sampleType, points.SelectMany(p => p).ToArray(), [points.Length, .. SampleShape.Select(d => (long)d)]),
            new OrtRunner.Input("timestep", timestepType, fed, timestepDims));

        var d = StandardMixtures.Uneven.Dimension;
        for (var n = 0; n < points.Length; n++)
        {
            var expected = ExactPrediction.Of(StandardMixtures.Uneven, prediction, points[n], levels[n].Alpha, levels[n].Sigma);
            Assertions.CloseRelative(expected, output.AsSpan(n * d, d),
                sampleType == ElementType.Float16 ? Float16Tolerance : Float32Tolerance,
                $"sample {n} (alpha {levels[n].Alpha:G4}, sigma {levels[n].Sigma:G4})");
        }
    }
}
