using Diffusion.Onnx.Mixtures;
using Diffusion.Testing;

namespace Diffusion.Onnx.Tests.Support;

internal static class TestMixtures
{
    /// <summary>The same mixture as the model builder takes it.</summary>
    public static MixtureComponents ToComponents(this GaussianMixture mixture) =>
        new(mixture.Means.Select(m => m.ToArray()).ToArray(), mixture.Stds, mixture.Weights);

    /// <summary>
    /// Noisy points x = alpha x_0 + sigma eps with x_0 drawn from <paramref name="mixture"/>,
    /// one per noise level, rounded to <paramref name="round"/>'s precision.
    /// </summary>
    public static double[][] NoisyPoints(GaussianMixture mixture, IReadOnlyList<(double Alpha, double Sigma)> levels, int seed, Func<double, double> round)
    {
        var random = new Random(seed);
        return levels.Select(level =>
        {
            var x0 = mixture.Sample(random);
            return x0.Select(v => round(level.Alpha * v + level.Sigma * StableMath.NextGaussian(random))).ToArray();
        }).ToArray();
    }
}
