using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Sampling;
using Diffusion.Onnx.Tests.Support;
using Diffusion.Testing;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Onnx.Tests.Mixtures;

public sealed class RingDemoTests
{
    private static string CommittedPath => Path.Combine(RepositoryPaths.Root, RingDemo.RelativePath);

    [Fact]
    public void RebuildingGivesTheCommittedBytes()
    {
        var committed = File.ReadAllBytes(CommittedPath);
        var rebuilt = RingDemo.Build().ToByteArray();

        Assert.True(committed.AsSpan().SequenceEqual(rebuilt),
            $"{RingDemo.RelativePath} differs from what the code builds: regenerate it with " +
            "`dotnet run --project training/Diffusion.DemoModel` and commit it.");
    }

    [Fact]
    public void DemoDeclaresTheImageModelContract()
    {
        using var session = new InferenceSession(CommittedPath);

        var sample = session.InputMetadata["sample"];
        Assert.Equal(typeof(float), sample.ElementType);
        Assert.Equal([-1, 2, 1, 1], sample.Dimensions);
        Assert.Equal("batch", sample.SymbolicDimensions[0]);
        var timestep = session.InputMetadata["timestep"];
        Assert.Equal(typeof(long), timestep.ElementType);
        Assert.Equal(["batch"], timestep.SymbolicDimensions);
        Assert.Equal(["out_sample"], session.OutputNames);
        Assert.Equal([-1, 2, 1, 1], session.OutputMetadata["out_sample"].Dimensions);
    }

    [Fact]
    public void DemoEmbedsItsSchedulerConfig()
    {
        using var session = new InferenceSession(CommittedPath);
        var config = SchedulerConfig.Parse(session.ModelMetadata.CustomMetadataMap[SchedulerConfig.MetadataKey], CommittedPath);

        Assert.Equal("DDPMScheduler", config.ClassName);
        Assert.Equal(1000, config.NumTrainTimesteps);
        Assert.Equal(1e-4, config.BetaStart);
        Assert.Equal(0.02, config.BetaEnd);
        Assert.Equal("linear", config.BetaSchedule);
        Assert.Equal(PredictionType.Epsilon, config.PredictionType);
        Assert.Equal(TimestepSpacing.Leading, config.TimestepSpacing);
        Assert.Equal("discrete", config.NoiseSchedule);
        Assert.Equal(TimestepInput.Index, config.TimestepInput);
        Assert.False(config.ClipSample, "the ring reaches past +-1: clipping x_0 to [-1, 1] would distort it");
        Assert.Equal(-1.5, config.DataMin);
        Assert.Equal(1.5, config.DataMax);
        Assert.Equal(RingDemo.Options.Scheduler, config);
    }

    [Fact]
    public void DemoPredictsTheExactNoiseOfTheRing()
    {
        var ring = StandardMixtures.Ring;
        var alphaBars = ReferenceSchedules.AlphaBars(ReferenceSchedules.Betas("linear"));
        long[] timesteps = [0, 10, 250, 999];
        var levels = timesteps.Select(t => ReferenceSchedules.Discrete(alphaBars, t)).ToArray();
        var points = TestMixtures.NoisyPoints(ring, levels, seed: 2, v => (float)v);

        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(CommittedPath));
        var output = OrtRunner.Run(model,
            new OrtRunner.Input("sample", ElementType.Float32, points.SelectMany(p => p).ToArray(), [timesteps.Length, 2, 1, 1]),
            new OrtRunner.Input("timestep", ElementType.Int64, timesteps.Select(t => (double)t).ToArray(), [timesteps.Length]));

        for (var n = 0; n < timesteps.Length; n++)
            Assertions.CloseRelative(ring.Epsilon(points[n], levels[n].Alpha, levels[n].Sigma), output.AsSpan(2 * n, 2), 3e-5, $"t = {timesteps[n]}");
    }
}
