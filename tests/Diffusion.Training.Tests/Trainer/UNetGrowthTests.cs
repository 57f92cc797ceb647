using Diffusion.Runtime;
using Diffusion.Torch;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Networks;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Trainer;

/// <summary><c>--init-from</c> into a deeper UNet: the run starts from the model's function (<see cref="UNetGrowth"/>).</summary>
[Collection(nameof(ProcessWideTorchState))]
public class UNetGrowthTests
{
    private static readonly UNetConfig Source = UNetConfig.FromJson(TinyImages.UNet(conditional: false).ConfigJson) with { AttentionResolutions = [2] };

    /// <summary>Two blocks more per level, and attention added at the 4 x 4 level to the 2 x 2 level's.</summary>
    private static readonly UNetConfig Deeper = Source with { ResBlocksPerLevel = 3, AttentionResolutions = [4, 2] };

    private static TrainingRun Run(UNetConfig network, long steps) =>
        TrainingRun.Create(TinyImages.Spec, TinyImages.Load(), DdpmObjective.Create(100), NetworkSpec.UNet(network),
            TinyRuns.Options(steps) with { BatchSize = 8, Seed = 5 });

    /// <summary>Trains the source architecture a few steps (so no layer holds its initial value) and exports it.</summary>
    private static string ExportedSource(TempFolder folder)
    {
        _ = TinyRuns.Ring; // one libtorch thread
        using var trainer = Training.Trainer.Start(Run(Source, 4), TinyImages.Load(), folder.File("source"));
        Assert.Equal(TrainingOutcome.Completed, trainer.Train().Outcome);
        string onnx = folder.File("model.onnx");
        CheckpointExport.ToOnnx(trainer.CheckpointPath, onnx);
        return onnx;
    }

    private static float[] Outputs(DenoisingNetwork network)
    {
        network.Module.eval(); // the tiny UNet has dropout
        var noise = new float[6 * 16];
        for (int i = 0; i < noise.Length; i++) noise[i] = MathF.Sin(1.7f * i) * 1.3f;
        using var sample = torch.FromData<float>(noise, [6, 1, 4, 4]);
        using var timestep = torch.FromData<float>([0f, 3f, 20f, 50f, 80f, 99f], [6]);
        using var noGrad = torch.no_grad();
        using var output = network.Forward(sample, timestep, null);
        return output.ToArray<float>();
    }

    [Fact]
    public void TheGrownNetworkComputesTheModelsFunctionAndItsAddedLayersLearn()
    {
        using var folder = new TempFolder();
        string onnx = ExportedSource(folder);
        var same = Run(Source, 1);
        using var model = same.Network.Build();
        ParameterTensors.Load(model.Parameters, WarmStart.Read(onnx, same).WeightsFor(model), "the source");
        float[] expected = Outputs(model);

        var run = Run(Deeper, 6);
        var warmStart = WarmStart.Read(onnx, run);
        Assert.Equal((Source, Deeper), warmStart.Growth);
        Assert.Contains("has 1 residual block(s) per level and attention at [2]; this run's UNet has 3 and [4, 2]", Assert.Single(warmStart.Notes));
        using var grown = Training.Trainer.Start(run, TinyImages.Load(), folder.File("grown"), warmStart: warmStart);
        Assert.True(grown.Model.Parameters.Count > model.Parameters.Count);

        float[] actual = Outputs(grown.Model);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
        Assert.Equal(actual, Outputs(grown.EmaModel));

        // The added layers start at zero (or [I 0]) but are not stuck there: gradients reach them.
        float[] Values(string name) => grown.Model.Parameters.Single(p => p.name == name).parameter.ToArray<float>();
        string[] added = ["down.0.res.2.conv2.weight", "up.0.res.1.conv2.weight", "up.1.res.2.conv2.weight", "down.0.attn.1.proj_out.weight"];
        Assert.All(added, name => Assert.All(Values(name), v => Assert.Equal(0f, v)));
        Assert.Equal(TrainingOutcome.Completed, grown.Train().Outcome);
        Assert.All(added, name => Assert.Contains(Values(name), v => v != 0f));
        Assert.NotEqual(expected, Outputs(grown.Model));
    }

    [Fact]
    public void OnlyBlocksAndAttentionCanGrowAndTheMessageSaysWhy()
    {
        Assert.Null(UNetGrowth.WhyNot(Source, Deeper));
        Assert.True(UNetGrowth.Grows(Source, Deeper));
        Assert.False(UNetGrowth.Grows(Source, Source));
        Assert.Contains("only --res-blocks and --attention can grow", UNetGrowth.WhyNot(Source, Source with { BaseChannels = 8 }));
        Assert.Contains("blocks can be added, not removed", UNetGrowth.WhyNot(Deeper, Deeper with { ResBlocksPerLevel = 2 }));
        Assert.Contains("attention at resolution 4 and the run does not", UNetGrowth.WhyNot(Deeper, Deeper with { AttentionResolutions = [2] }));
        var error = Assert.Throws<ArgumentException>(() => UNetGrowth.Grow(Deeper, new Dictionary<string, Data.Safetensors.SafetensorsTensor>(), Source, new Dictionary<string, Data.Safetensors.SafetensorsTensor>()));
        Assert.Contains("blocks can be added, not removed", error.Message);
    }

    [Fact]
    public void AnotherUNetThatIsNotAGrowthIsRefusedSayingWhatCannotChange()
    {
        using var folder = new TempFolder();
        string onnx = ExportedSource(folder);
        var wider = Assert.Throws<DiffusionException>(() => WarmStart.Read(onnx, Run(Source with { BaseChannels = 8 }, 1)));
        Assert.Contains("is a UNet of another architecture than this run's, and only --res-blocks and --attention can grow", wider.Message);
        var shallower = Assert.Throws<DiffusionException>(() => WarmStart.Read(onnx, Run(Source with { AttentionResolutions = [] }, 1)));
        Assert.Contains("attention at resolution 2 and the run does not", shallower.Message);
        Assert.Null(WarmStart.Read(onnx, Run(Source, 1)).Growth);
    }
}
