using Diffusion.Onnx.Graphs;

namespace Diffusion.Cli.Tests;

/// <summary>
/// The fixtures of diffusers' scheduler tests (tests/schedulers/test_schedulers.py) and their check, in one
/// home for every parity test: the dummy model, the deterministic sample, and the mean and sum of |x|.
/// </summary>
internal static class DiffusersDummy
{
    /// <summary>The [N, C, H, W] shape of diffusers' dummy sample.</summary>
    public static readonly int[] Shape = [4, 3, 8, 8];

    /// <summary>
    /// diffusers' dummy_sample_deter: arange(768) laid out [C, H, W, N] / 768 and permuted to [N, C, H, W].
    /// </summary>
    public static float[] Sample()
    {
        var data = new float[768];
        for (int n = 0; n < 4; n++)
            for (int c = 0; c < 3; c++)
                for (int h = 0; h < 8; h++)
                    for (int w = 0; w < 8; w++)
                        data[((n * 3 + c) * 8 + h) * 8 + w] = (float)((((c * 8 + h) * 8 + w) * 4 + n) / 768.0);
        return data;
    }

    /// <summary>diffusers' dummy model, model(sample, t) = sample * t / (t + 1), with a float32 timestep [1], saved as ONNX.</summary>
    public static string SaveModel(string path)
    {
        var g = new OnnxModelBuilder("diffusers_dummy_model");
        var sample = g.Input("sample", ElementType.Float32, 4, 3, 8, 8);
        var t = g.Input("timestep", ElementType.Float32, 1);
        g.Output(g.Mul(sample, g.Div(t, g.Add(t, g.Constant(1f)))), "out_sample", ElementType.Float32, 4, 3, 8, 8);
        g.Save(path);
        return path;
    }

    /// <summary>diffusers' check: the mean of |x| to 1e-3 and, where they check it, the sum of |x| to 1e-2.</summary>
    public static void AssertValue(string name, float[] data, double expectedMean, double? expectedSum)
    {
        double sum = data.Sum(v => Math.Abs((double)v)), mean = sum / data.Length;
        Assert.True(Math.Abs(mean - expectedMean) < 1e-3, $"{name}: mean |x| {mean:G6}, diffusers {expectedMean}");
        if (expectedSum is { } s) Assert.True(Math.Abs(sum - s) < 1e-2, $"{name}: sum |x| {sum:G8}, diffusers {s}");
    }
}
