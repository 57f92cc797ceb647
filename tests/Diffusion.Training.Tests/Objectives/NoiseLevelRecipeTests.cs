using Diffusion.Runtime.Denoising;
using Diffusion.Torch;
using Diffusion.Training.Objectives;
using Diffusion.Training.Tests.Trainer;

namespace Diffusion.Training.Tests.Objectives;

/// <summary>
/// Noise-level recipes against their closed forms: the drawn levels follow the stated density of
/// s = ln(sigma / alpha) (continuous objectives) or the stated mass per level (discrete ones), and each
/// weighting multiplies a sample's squared error by target weight over implied weight (Hang et al. 2023, eq. 5-7).
/// </summary>
public class NoiseLevelRecipeTests
{
    private static readonly NoiseLevelRecipe LogNormal = new() { Sampling = NoiseSampling.LogNormal };
    private static readonly NoiseLevelRecipe LogSnr = new() { Sampling = NoiseSampling.LogSnr };

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-2.0, 0.022750131948179195)]
    [InlineData(-0.3, 0.3820885778110474)]
    [InlineData(5.0, 0.9999997133484281)]
    [InlineData(-8.0, 6.22096057427178e-16)]
    public void TheNormalDistributionFunctionMatchesReferenceValues(double x, double phi)
    {
        Assert.Equal(phi, NormalMath.Cdf(x), phi * 1e-12);
    }

    [Fact]
    public void TheQuantileInvertsTheDistributionFunction()
    {
        // Above 5, 1 - Phi(x) nears the spacing of doubles below 1, which bounds any inverse's accuracy.
        for (double x = -7; x <= 5; x += 0.05) Assert.Equal(x, NormalMath.Quantile(NormalMath.Cdf(x)), 1e-8);
    }

    private static double[] LogSigmas(DenoisingObjective objective, int count, ulong seed)
    {
        using var generator = new Generator(seed);
        var noise = objective.Draw([count, 2, 1, 1], generator);
        using (noise.Noise) return Array.ConvertAll(noise.Times, t => Math.Log(objective.Schedule.At(t).ScaledSigma));
    }

    public static TheoryData<string, int> ContinuousCases => new() { { "vp", 0 }, { "vp", 1 }, { "subvp", 1 }, { "ve", 0 }, { "ve", 1 } };

    [Theory]
    [MemberData(nameof(ContinuousCases))]
    public void ContinuousLevelsFollowTheStatedDensityOfLogSigma(string process, int samplingIndex)
    {
        var recipe = samplingIndex == 0 ? LogNormal : LogSnr;
        var objective = ScoreSdeObjective.Create(process, sigmaMax: 20, recipe: recipe);
        var (sMin, sMax) = objective.LogSigmaRange;
        const int n = 200_000, bins = 25;
        double[] s = LogSigmas(objective, n, 11);
        Assert.All(s, v => Assert.InRange(v, sMin - 1e-9, sMax + 1e-9));
        var counts = new int[bins];
        foreach (double v in s) counts[Math.Min(bins - 1, (int)((v - sMin) / (sMax - sMin) * bins))]++;
        for (int b = 0; b < bins; b++)
        {
            // The bin's probability by integrating the closed-form density (Simpson's rule, 64 panels).
            double a = sMin + b * (sMax - sMin) / bins, h = (sMax - sMin) / bins / 64, p = 0;
            for (int k = 0; k < 64; k++)
            {
                double x0 = a + k * h;
                p += h / 6 * (recipe.LogSigmaDensity(x0, sMin, sMax) + 4 * recipe.LogSigmaDensity(x0 + h / 2, sMin, sMax) + recipe.LogSigmaDensity(x0 + h, sMin, sMax));
            }
            double frequency = (double)counts[b] / n, tolerance = 5 * Math.Sqrt(p * (1 - p) / n) + 1e-4;
            Assert.True(Math.Abs(frequency - p) < tolerance, $"bin {b} [{a:F3}, {a + 64 * h:F3}): frequency {frequency:F5}, density mass {p:F5}");
        }
    }

    [Fact]
    public void TheLogNormalDensityIsEdmsNormalTruncatedToTheTrainingRange()
    {
        double sMin = -4.6, sMax = 5.0;
        double total = 0;
        for (double x = sMin; x < sMax; x += 1e-4) total += LogNormal.LogSigmaDensity(x + 5e-5, sMin, sMax) * 1e-4;
        Assert.Equal(1, total, 1e-6);
        double untruncated = Math.Exp(-0.5 * Math.Pow((0 + 1.2) / 1.2, 2)) / (1.2 * Math.Sqrt(2 * Math.PI));
        Assert.Equal(untruncated / (NormalMath.Cdf((sMax + 1.2) / 1.2) - NormalMath.Cdf((sMin + 1.2) / 1.2)), LogNormal.LogSigmaDensity(0, sMin, sMax), 1e-12);
        Assert.Equal(0, LogNormal.LogSigmaDensity(sMax + 0.1, sMin, sMax));
    }

    [Fact]
    public void DiscreteLevelsAreDrawnWithTheMassOfTheirCell()
    {
        var ddpm = DdpmObjective.Create(50, recipe: LogNormal);
        double[] p = ddpm.LevelProbabilities()!;
        var s = Enumerable.Range(0, 50).Select(i => Math.Log(ddpm.Schedule.At(i).ScaledSigma)).ToArray();
        double Phi(double x) => NormalMath.Cdf((x + 1.2) / 1.2);
        double total = Phi(s[^1]) - Phi(s[0]);
        for (int i = 0; i < 50; i++)
        {
            double lo = i == 0 ? s[0] : (s[i - 1] + s[i]) / 2, hi = i == 49 ? s[49] : (s[i] + s[i + 1]) / 2;
            Assert.Equal((Phi(hi) - Phi(lo)) / total, p[i], 1e-12);
        }

        const int n = 200_000;
        using var generator = new Generator(5);
        var noise = ddpm.Draw([n, 2, 1, 1], generator);
        using (noise.Noise)
        {
            var counts = new int[50];
            foreach (double t in noise.Times)
            {
                Assert.Equal(Math.Round(t), t);
                counts[(int)t]++;
            }
            for (int i = 0; i < 50; i++) Assert.True(Math.Abs((double)counts[i] / n - p[i]) < 5 * Math.Sqrt(p[i] * (1 - p[i]) / n) + 1e-4, $"level {i}: {(double)counts[i] / n} vs {p[i]}");
        }

        // NCSN's geometric levels are evenly spaced in log sigma, so log-SNR sampling gives the inner levels equal mass and the two ends half of it.
        var ncsn = NcsnObjective.Create(10, 0.01, 10, recipe: LogSnr);
        double[] q = ncsn.LevelProbabilities()!;
        Assert.Equal(1.0 / 18, q[0], 1e-12);
        Assert.Equal(1.0 / 9, q[5], 1e-12);
        Assert.Equal(1.0 / 18, q[9], 1e-12);
    }

    [Fact]
    public void UniformSamplingIsTheObjectivesOwnDraw()
    {
        var own = ScoreSdeObjective.Create("vp");
        var uniform = ScoreSdeObjective.Create("vp", recipe: new NoiseLevelRecipe { Weighting = LossWeighting.MinSnr });
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        var a = own.Draw([64, 2, 1, 1], g1);
        var b = uniform.Draw([64, 2, 1, 1], g2);
        using (a.Noise)
        using (b.Noise) Assert.Equal(a.Times, b.Times);
    }

    /// <summary>Closed forms per Hang et al. 2023 (eq. 5-7) and Karras et al. 2022 (eq. 8), as multipliers of the parameterisation's own squared error.</summary>
    public static TheoryData<string, string, double> WeightCases => new()
    {
        { "epsilon", "min-snr", 0.05 }, { "epsilon", "min-snr", 0.5 }, { "epsilon", "min-snr", 0.95 },
        { "sample", "min-snr", 0.05 }, { "sample", "min-snr", 0.5 },
        { "v_prediction", "min-snr", 0.05 }, { "v_prediction", "min-snr", 0.5 },
        { "epsilon", "edm", 0.05 }, { "epsilon", "edm", 0.7 }, { "sample", "edm", 0.3 }, { "v_prediction", "edm", 0.3 },
    };

    [Theory]
    [MemberData(nameof(WeightCases))]
    public void EachWeightingScalesASamplesErrorByItsClosedForm(string predictionName, string weightingName, double t)
    {
        var prediction = PredictionConversion.Parse(predictionName);
        var recipe = new NoiseLevelRecipe { Weighting = NoiseLevelRecipe.ParseWeighting(weightingName), Gamma = 5, SigmaData = 0.5 };
        var weighted = ScoreSdeObjective.Create("vp", prediction: prediction, recipe: recipe);
        var own = ScoreSdeObjective.Create("vp", prediction: prediction);
        var point = own.Schedule.At(t);
        double snr = Math.Pow(point.Alpha / point.Sigma, 2), s2 = 1 / snr;
        double expected = weightingName == "min-snr"
            ? predictionName switch { "epsilon" => Math.Min(snr, 5) / snr, "sample" => Math.Min(snr, 5), _ => Math.Min(snr, 5) / (snr + 1) }
            : (s2 + 0.25) / (s2 * 0.25) / predictionName switch { "epsilon" => snr, "sample" => 1, _ => snr + 1 };

        var network = new AffineNetwork(0.4, 0.2);
        using var scope = torch.NewDisposeScope();
        var x0 = torch.FromData<float>([0.7f, -1.1f], [1, 2, 1, 1]);
        var noise = torch.FromData<float>([0.3f, 0.9f], [1, 2, 1, 1]);
        double ownLoss = own.Loss(network, x0, null, new TrainingNoise([t], noise)).item<double>();
        double weightedLoss = weighted.Loss(network, x0, null, new TrainingNoise([t], noise)).item<double>();
        Assert.Equal(expected, weightedLoss / ownLoss, expected * 1e-5);
    }

    [Fact]
    public void OutputPreconditionedNetworksAlreadyCarryEdmsWeight()
    {
        var edm = new NoiseLevelRecipe { Weighting = LossWeighting.Edm, SigmaData = 0.7 };
        var preconditioning = new Training.Preconditioning(0.7, Output: true);
        Assert.Equal(1, edm.ErrorFactor(PredictionType.Sample, preconditioning, 0.8, 0.6), 1e-12);
    }

    [Fact]
    public void InvalidRecipesAreRefusedWithTheirName()
    {
        Assert.Contains("P_std", Assert.Throws<Runtime.DiffusionException>(() => ScoreSdeObjective.Create("vp", recipe: LogNormal with { PStd = 0 })).Message);
        Assert.Contains("gamma", Assert.Throws<Runtime.DiffusionException>(() => ScoreSdeObjective.Create("vp", recipe: new NoiseLevelRecipe { Gamma = double.NaN })).Message);
        Assert.Contains("log-snr", Assert.Throws<Runtime.DiffusionException>(() => NoiseLevelRecipe.ParseSampling("cosine")).Message);
    }
}
