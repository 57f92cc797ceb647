using Diffusion.Runtime.Evaluation.Likelihood;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Likelihood;

/// <summary>
/// The probability-flow ODE's log-likelihood of points drawn from an exact mixture model agrees with
/// the mixture's closed-form log-density at the ODE's starting noise level, within 0.02 nats per dimension.
/// </summary>
public class ProbabilityFlowLikelihoodTests
{
    [Theory]
    [InlineData("discrete")]
    [InlineData("vp")]
    [InlineData("subvp")]
    [InlineData("ve")]
    public void LogLikelihoodMatchesTheClosedFormDensity(string schedule)
    {
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs[schedule]);
        var mixture = model.Mixture;
        var start = model.Schedule.At(model.Schedule.MinTime);
        const int count = 100;
        var data = new float[count * 2];
        var exact = new double[count];
        var random = new Random(4);
        var noise = new GaussianStream(9, 0);
        for (int i = 0; i < count; i++)
        {
            // A draw from the mixture, noised to the ODE's first point.
            double u = random.NextDouble(), acc = 0;
            int k = 0;
            while (k < mixture.ComponentCount - 1 && (acc += mixture.Weights[k]) < u) k++;
            var x = new double[2];
            for (int j = 0; j < 2; j++)
            {
                double x0 = mixture.Means[k][j] + mixture.Stds[k] * noise.NextGaussian();
                x[j] = start.Alpha * x0 + start.Sigma * noise.NextGaussian();
                data[i * 2 + j] = (float)x[j];
            }
            exact[i] = mixture.LogDensity(new[] { (double)data[i * 2], data[i * 2 + 1] }, start.Alpha, start.Sigma);
        }

        var result = ProbabilityFlowLikelihood.Evaluate(model, data, count, new LikelihoodOptions { Probes = 4, BatchSize = count });

        double perDim = (result.LogDensities.Average() - exact.Average()) / 2;
        Assert.True(Math.Abs(perDim) < 0.02,
            $"{schedule}: ODE log-likelihood {result.LogDensities.Average():F4} nats, closed form {exact.Average():F4}: {perDim:F4} per dimension ({result.ModelEvaluations} evaluations)");
    }
}
