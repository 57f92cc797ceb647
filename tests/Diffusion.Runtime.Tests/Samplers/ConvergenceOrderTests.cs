using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Samplers;

/// <summary>
/// The deterministic samplers integrate the probability-flow ODE at their order: the endpoint
/// error against a fine reference, from the same initial noise, shrinks by 2^order as steps double.
/// DPM-Solver++ 2M and 3M have orders 2 and 3; UniPC's corrector adds one to its predictor's order
/// (UniP-1 is DDIM, order 1, and UniPC-1 is order 2; UniP-2 is order 2 and UniPC-2 order 3).
/// </summary>
public class ConvergenceOrderTests
{
    [Theory]
    [InlineData("euler", 1.0, "ve")]
    [InlineData("heun", 2.0, "ve")]
    [InlineData("euler", 1.0, "discrete")]
    [InlineData("heun", 2.0, "discrete")]
    [InlineData("dpmpp-2m", 2.0, "ve")]
    [InlineData("dpmpp-2m", 2.0, "discrete")]
    [InlineData("dpmpp-3m", 3.0, "ve")]
    [InlineData("dpmpp-3m", 3.0, "discrete")]
    [InlineData("unip-1", 1.0, "discrete")]
    [InlineData("unipc-1", 2.0, "ve")]
    [InlineData("unipc-1", 2.0, "discrete")]
    [InlineData("unip-2", 2.0, "ve")]
    [InlineData("unipc-2", 3.0, "ve")]
    [InlineData("unipc-2", 3.0, "discrete")]
    public void EndpointErrorShrinksAtTheSamplersOrder(string sampler, double order, string schedule)
    {
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs[schedule]);
        const int count = 200;
        var noise = new float[count * 2];
        new BatchNoise(17, 0, count, 2).Fill(noise);
        // Multistep solvers at fixed order (no lowering over the last steps, which would cap the order).
        var (name, settings) = sampler switch
        {
            "dpmpp-2m" => ("dpmpp", new SamplerSettings { Order = 2, LowerOrderFinal = false }),
            "dpmpp-3m" => ("dpmpp", new SamplerSettings { Order = 3, LowerOrderFinal = false }),
            "unip-1" => ("unipc", new SamplerSettings { Order = 1, UseCorrector = false }),
            "unipc-1" => ("unipc", new SamplerSettings { Order = 1 }),
            "unip-2" => ("unipc", new SamplerSettings { Order = 2, UseCorrector = false, LowerOrderFinal = false }),
            "unipc-2" => ("unipc", new SamplerSettings { Order = 2, LowerOrderFinal = false }),
            _ => (sampler, new SamplerSettings()),
        };
        float[] Solve(string name, SamplerSettings settings, int steps) => Generator.Generate(model, new GenerationOptions
        {
            Sampler = name, Steps = steps, Count = count, InitialNoise = noise, Spacing = TimestepSpacing.Karras, Settings = settings,
        }).Data;

        var reference = Solve("heun", new SamplerSettings(), 3000);
        // Where each method is in its asymptotic range on this mixture (components of std 0.1-0.2).
        int[] steps = sampler switch
        {
            "euler" or "unip-1" => [100, 200, 400],
            "heun" => [20, 40, 80],
            "dpmpp-3m" => [40, 80, 160],
            _ => [80, 160, 320],
        };
        var errors = steps.Select(n => Rms(Solve(name, settings, n), reference)).ToArray();
        for (int i = 0; i + 1 < errors.Length; i++)
        {
            double measured = Math.Log2(errors[i] / errors[i + 1]);
            Assert.True(Math.Abs(measured - order) < 0.35,
                $"{sampler}: error {errors[i]:E3} at {steps[i]} steps, {errors[i + 1]:E3} at {steps[i + 1]}: order {measured:F2}, expected {order}");
        }
    }

    private static double Rms(float[] a, float[] b) => Math.Sqrt(a.Zip(b).Average(p => Math.Pow(p.First - p.Second, 2)));
}
