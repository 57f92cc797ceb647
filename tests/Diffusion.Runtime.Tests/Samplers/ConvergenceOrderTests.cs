using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>
/// The deterministic samplers integrate the probability-flow ODE at their order: the endpoint
/// error against a fine reference, from the same initial noise, shrinks by 2^order as steps double.
/// </summary>
public class ConvergenceOrderTests
{
    [Theory]
    [InlineData("euler", 1.0, "ve")]
    [InlineData("heun", 2.0, "ve")]
    [InlineData("euler", 1.0, "discrete")]
    [InlineData("heun", 2.0, "discrete")]
    public void EndpointErrorShrinksAtTheSamplersOrder(string sampler, double order, string schedule)
    {
        var model = new ExactMixtureModel(ExactMixtureModel.ThreeComponents(), ExactMixtureModel.Configs[schedule]);
        const int count = 200;
        var noise = new float[count * 2];
        new BatchNoise(17, 0, count, 2).Fill(noise);
        float[] Solve(string name, int steps) => Generator.Generate(model, new GenerationOptions
        {
            Sampler = name, Steps = steps, Count = count, InitialNoise = noise, Spacing = TimestepSpacing.Karras,
        }).Data;

        var reference = Solve("heun", 1500);
        int[] steps = sampler == "euler" ? [100, 200, 400] : [20, 40, 80];
        var errors = steps.Select(n => Rms(Solve(sampler, n), reference)).ToArray();
        for (int i = 0; i + 1 < errors.Length; i++)
        {
            double measured = Math.Log2(errors[i] / errors[i + 1]);
            Assert.True(Math.Abs(measured - order) < 0.35,
                $"{sampler}: error {errors[i]:E3} at {steps[i]} steps, {errors[i + 1]:E3} at {steps[i + 1]}: order {measured:F2}, expected {order}");
        }
    }

    private static double Rms(float[] a, float[] b) => Math.Sqrt(a.Zip(b).Average(p => Math.Pow(p.First - p.Second, 2)));
}
