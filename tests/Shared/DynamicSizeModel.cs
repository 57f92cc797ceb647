using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.Models;

namespace Diffusion.Testing;

/// <summary>
/// A fully convolutional dummy for the tests of other sizes (compiled into each test project that needs it):
/// eps(x, t) = x t / (t + 1) for any [N, 1, H, W], its own size 8 x 8 (its config's <c>sample_size</c>), sizes in
/// multiples of 4 (<see cref="OnnxDiffusionModel.SampleSizeMultipleMetadataKey"/>).
/// </summary>
internal static class DynamicSizeModel
{
    /// <summary>Writes the model to <paramref name="path"/> and returns the path.</summary>
    public static string Save(string path)
    {
        var g = new OnnxModelBuilder("dynamic_size_dummy");
        var sample = g.Input("sample", ElementType.Float32, "batch", 1, "height", "width");
        var t = g.Input("timestep", ElementType.Float32, "batch");
        var scale = g.Node("Unsqueeze", [g.Div(t, g.Add(t, g.Constant(1f))), g.Constant(new long[] { 1, 2, 3 })]);
        g.Output(g.Mul(sample, scale), "out_sample", ElementType.Float32, "batch", 1, "height", "width");
        g.Metadata[SchedulerConfig.MetadataKey] = """
            { "_class_name": "DDIMScheduler", "num_train_timesteps": 1000, "beta_schedule": "linear", "in_channels": 1, "sample_size": 8 }
            """;
        g.Metadata[OnnxDiffusionModel.SampleSizeMultipleMetadataKey] = "4";
        g.Save(path);
        return path;
    }
}
