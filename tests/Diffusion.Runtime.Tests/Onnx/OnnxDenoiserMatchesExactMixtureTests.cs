using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// The ONNX model's denoiser (timestep written in the model's type and shape, output turned into
/// x0 from whatever the model predicts) gives the exact posterior mean E[x0 | x] of the mixture.
/// </summary>
public class OnnxDenoiserMatchesExactMixtureTests
{
    public static TheoryData<string> Cases() => [.. OnnxMixtures.Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void DenoisedEqualsTheExactPosteriorMean(string caseName)
    {
        var testCase = OnnxMixtures.Case(caseName);
        using var folder = new TempFolder();
        using var model = OnnxMixtures.Load(testCase.Save(folder.File("model.onnx")));
        const int batch = 8;
        using var denoiser = model.CreateDenoiser(batch, null, CancellationToken.None);
        // Times whose timestep values float16 holds exactly: training steps, or powers of two of t.
        double[] times = model.Schedule.IsDiscrete ? [0, 10, 500, 999] : [0.0078125, 0.25, 0.5, 1];
        bool half = testCase.SampleType == ElementType.Float16 || testCase.TimestepType == ElementType.Float16;
        var mixture = OnnxMixtures.Mixture;
        var random = new Random(7);

        foreach (double time in times)
        {
            var point = model.Schedule.At(time);
            var x = new float[batch * 2];
            for (int i = 0; i < x.Length; i += 2)
            {
                var x0 = mixture.Sample(random);
                for (int j = 0; j < 2; j++) x[i + j] = (float)(point.Alpha * x0[j] + point.Sigma * StableMath.NextGaussian(random));
            }
            var denoised = new float[x.Length];

            denoiser.Denoise(x, point, denoised);

            // Float rounding of the model's output, amplified by 1/alpha where x0 = (x - sigma eps) / alpha.
            double tolerance = (half ? 3e-3 : 1e-6) * (1 + point.Sigma / point.Alpha) * Math.Max(1, x.Max(Math.Abs));
            for (int n = 0; n < batch; n++)
            {
                var expected = mixture.Denoised([x[2 * n], x[2 * n + 1]], point.Alpha, point.Sigma);
                for (int j = 0; j < 2; j++)
                    Assert.True(Math.Abs(denoised[2 * n + j] - expected[j]) <= tolerance,
                        $"{caseName}, time {time}, sample {n}: x0[{j}] is {denoised[2 * n + j]}, expected {expected[j]:G7} (tolerance {tolerance:E1})");
            }
        }
    }
}
