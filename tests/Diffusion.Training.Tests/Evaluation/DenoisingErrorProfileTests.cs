using Diffusion.Runtime;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Tests.Support;
using Diffusion.Testing;
using Diffusion.Training.Data;
using Diffusion.Training.Evaluation;
using Diffusion.Training.Tests.Trainer;

namespace Diffusion.Training.Tests.Evaluation;

public class DenoisingErrorProfileTests
{
    private const int Size = 8, Count = 2000;
    private const double Variance = 0.25;

    /// <summary>The exact model of N(mean, Variance I) in <see cref="Size"/> dimensions; with several means, one class per mean.</summary>
    private static ExactMixtureModel GaussianModel(string config, params double[] means)
    {
        var mixture = new GaussianMixture([.. means.Select(m => Enumerable.Repeat(m, Size).ToArray())], [.. means.Select(_ => Math.Sqrt(Variance))]);
        return means.Length == 1 ? new ExactMixtureModel(mixture, ExactMixtureModel.Configs[config]) : ExactMixtureModel.Conditional(mixture, config);
    }

    /// <summary>The ideal error per value at ratio s: the posterior variance v s^2 / (v + s^2).</summary>
    private static double IdealError(double scaledSigma) => Variance * scaledSigma * scaledSigma / (Variance + scaledSigma * scaledSigma);

    /// <summary>Values ~ N(mean[label], Variance), labels alternating over the classes.</summary>
    private static Dataset GaussianData(params double[] means)
    {
        var values = new float[Count * Size];
        new BatchNoise(99, 0, Count, Size).Fill(values);
        var labels = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            labels[i] = i % means.Length;
            for (int j = 0; j < Size; j++) values[i * Size + j] = (float)(means[labels[i]] + Math.Sqrt(Variance) * values[i * Size + j]);
        }
        return new Dataset("gauss", values, [Count, Size, 1, 1], new DataRange(-4, 4), labels, means.Length);
    }

    [Fact]
    public void TheExactDenoiserScoresThePosteriorVarianceAtEveryLevel()
    {
        foreach (var config in new[] { "ve", "discrete" })
        {
            var model = GaussianModel(config, 0.5);
            var rows = DenoisingErrorProfile.Measure(model, GaussianData(0.5), Count, seed: 1);

            // The levels inside the schedule's range: VE reaches 0.01 to 20, DDPM 0.01 to about 157.
            Assert.Equal(DenoisingErrorProfile.DefaultLevels.Count(l => l >= model.Schedule.MinScaledSigma * 0.999 && l <= model.Schedule.MaxScaledSigma * 1.001), rows.Count);
            foreach (var r in rows)
            {
                // 16,000 values: a mean of squared Gaussians has a relative spread of sqrt(2 / 16000) ~ 1.1%.
                Assert.InRange(r.DenoisedMse / IdealError(r.ScaledSigma), 0.95, 1.05);
                Assert.InRange(r.MeanImageMse / Variance, 0.95, 1.05);
            }
            // It rises from almost nothing to the mean image's error.
            Assert.True(rows[0].RelativeToMeanImage < 0.01, $"{rows[0]}");
            Assert.InRange(rows[^1].RelativeToMeanImage, 0.95, 1.05);
        }
    }

    [Fact]
    public void ADiscreteModelIsMeasuredAtItsNearestTrainingStep()
    {
        var model = GaussianModel("discrete", 0.5);
        var row = Assert.Single(DenoisingErrorProfile.Measure(model, GaussianData(0.5), 100, levels: [1.0]));
        Assert.Equal(Math.Round(row.Time), row.Time);
        Assert.Equal(model.Schedule.At(row.Time).ScaledSigma, row.ScaledSigma);
        Assert.InRange(row.ScaledSigma, 0.99, 1.01);
    }

    [Fact]
    public void ClassConditionalModelsGetEachImagesLabel()
    {
        // Means 3 apart: a label paired with the wrong image would cost an error of ~9 at high noise.
        var model = GaussianModel("ve", -1.5, 1.5);
        var rows = DenoisingErrorProfile.Measure(model, GaussianData(-1.5, 1.5), Count, levels: [0.1, 10]);
        Assert.All(rows, r => Assert.InRange(r.DenoisedMse / IdealError(r.ScaledSigma), 0.95, 1.05));
    }

    [Fact]
    public void TheSameSeedGivesTheSameProfileAndAnotherSeedAnother()
    {
        var model = GaussianModel("ve", 0.5);
        var data = GaussianData(0.5);
        var a = DenoisingErrorProfile.Measure(model, data, 300, seed: 5);
        Assert.Equal(a, DenoisingErrorProfile.Measure(model, data, 300, seed: 5));
        Assert.NotEqual(a, DenoisingErrorProfile.Measure(model, data, 300, seed: 6));
    }

    [Fact]
    public void BadInputNamesTheProblem()
    {
        var model = GaussianModel("ve", 0.5);
        var conditional = GaussianModel("ve", -1, 1);
        var unlabelled = new Dataset("points", new float[10 * Size], [10, Size, 1, 1], new DataRange(-1, 1));
        var wrongSize = new Dataset("pairs", new float[10 * 2], [10, 2, 1, 1], new DataRange(-1, 1));
        Assert.Contains("use the dataset the model was trained on", Assert.ThrowsAny<DiffusionException>(() => DenoisingErrorProfile.Measure(model, wrongSize, 5)).Message);
        Assert.Contains("between 1 and the dataset's 10", Assert.ThrowsAny<DiffusionException>(() => DenoisingErrorProfile.Measure(model, unlabelled, 11)).Message);
        Assert.Contains("has no labels", Assert.ThrowsAny<DiffusionException>(() => DenoisingErrorProfile.Measure(conditional, unlabelled, 5)).Message);
        Assert.Contains("above 0", Assert.ThrowsAny<DiffusionException>(() => DenoisingErrorProfile.Measure(model, unlabelled, 5, levels: [-1])).Message);
    }

    [Fact]
    public void TheCommandPrintsOneRowPerLevelForAShippedModel()
    {
        string model = Path.Combine(RepositoryRoot.Find(), "models", "ring-vp.onnx");
        var (code, output, error) = CliProcess.Run("denoise-error", "--model", model, "--count", "128", "--levels", "0.05,1,5,1000");
        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("on ring, 128 images", lines[0]);
        // 1000 lies beyond the VP schedule's reach (about 157) and is skipped.
        Assert.Equal(2 + 3, lines.Length);
        double[] relative = lines[2..].Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(relative[0] < 0.05 && relative[0] < relative[1] && relative[1] < relative[2], string.Join(", ", relative));

        CliTests.AssertOneLineError(CliProcess.Run("denoise-error", "--model", model, "--levels", "0.1,x"), "'x' is not a number");
    }
}
