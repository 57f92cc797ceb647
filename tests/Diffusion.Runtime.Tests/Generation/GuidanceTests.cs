using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Tests.Support;
using Diffusion.Testing;

namespace Diffusion.Runtime.Tests.Generation;

public class GuidanceTests
{
    private static readonly GaussianMixture Mixture = StandardMixtures.ThreeComponents;

    private static float[] Sample(ExactMixtureModel model, int? label, double guidance, int count = 400) =>
        Generator.Generate(model, new GenerationOptions
        {
            Sampler = "heun", Steps = 30, Count = count, Seed = 4, ClassLabels = label is { } k ? [k] : null, GuidanceScale = guidance,
            Spacing = TimestepSpacing.Karras,
        }).Data;

    [Fact]
    public void GuidanceWeightOneSamplesTheRequestedComponent()
    {
        var model = ExactMixtureModel.Conditional(Mixture, "discrete");
        MixtureStatistics.AssertMatches(Mixture.Component(1), Sample(model, 1, 1.0), 0.01, 0.03, 0.25);
    }

    [Fact]
    public void CycledLabelsGiveEachSampleWhatItsOwnLabelAloneWouldGive()
    {
        var model = ExactMixtureModel.Conditional(Mixture, "vp");
        var options = new GenerationOptions { Sampler = "ddpm", Steps = 20, Count = 7, Seed = 9, BatchSize = 3, ClassLabels = [0, 2, 1], GuidanceScale = 2 };

        var cycled = Generator.Generate(model, options);

        Assert.Equal([0, 2, 1, 0, 2, 1, 0], cycled.Labels);
        int size = model.SampleShape.Size;
        foreach (int label in new[] { 0, 1, 2 })
        {
            var alone = Generator.Generate(model, options with { ClassLabels = [label] });
            Assert.Equal(Enumerable.Repeat(label, 7), alone.Labels);
            for (int i = 0; i < 7; i++)
            {
                if (cycled.Labels![i] != label) continue;
                // Sample i depends on (seed, i) and its own label only, not on its batch-mates.
                Assert.Equal(alone.Data.AsSpan(i * size, size).ToArray(), cycled.Data.AsSpan(i * size, size).ToArray());
            }
        }
    }

    [Fact]
    public void GuidedRunMatchesTheSeparatelyComputedCombination()
    {
        // Guidance mixes the two branches' x0 in one batch: with w = 0 it is the unconditional model.
        var model = ExactMixtureModel.Conditional(Mixture, "ve");
        var unconditional = Sample(new ExactMixtureModel(Mixture, ExactMixtureModel.Configs["ve"]), null, 1.0, 64);
        var guidedZero = Sample(model, 2, 0.0, 64);
        for (int i = 0; i < unconditional.Length; i++) Assert.Equal(unconditional[i], guidedZero[i], 4);
    }

    [Fact]
    public void StrongerGuidanceMovesSamplesToWhereTheClassIsMoreLikely()
    {
        // Two overlapping classes: guidance w > 1 samples p(x|c)^w p(x)^(1-w), which favours the
        // region where class 0 beats class 1 (x < 0) more than the class itself does (84%).
        var overlapping = new GaussianMixture([[-0.3, 0.0], [0.3, 0.0]], [0.3, 0.3]);
        var model = ExactMixtureModel.Conditional(overlapping, "discrete");
        double FractionLeft(float[] s) => Enumerable.Range(0, s.Length / 2).Average(i => s[2 * i] < 0 ? 1.0 : 0.0);
        double plain = FractionLeft(Sample(model, 0, 1.0, 1000)), guided = FractionLeft(Sample(model, 0, 3.0, 1000));
        Assert.InRange(plain, 0.80, 0.88);
        Assert.True(guided > plain + 0.05, $"guided {guided:F3}, conditional {plain:F3}");
    }

    [Theory]
    [InlineData(null, 2.0, "needs a class label")]
    [InlineData(1, -1.0, "GuidanceScale must be 0 or more")]
    [InlineData(3, 1.0, "out of range")]
    public void BadGuidanceRequestsAreClearErrors(int? label, double guidance, string expected)
    {
        var model = ExactMixtureModel.Conditional(Mixture, "discrete");
        var e = Assert.ThrowsAny<DiffusionException>(() => Sample(model, label, guidance, 4));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void GuidanceWithoutANullLabelIsAClearError()
    {
        var model = new ExactMixtureModel(Mixture, ExactMixtureModel.Configs["discrete"].Replace("}", ", \"num_classes\": 3 }"));
        var e = Assert.ThrowsAny<DiffusionException>(() => Sample(model, 1, 2.0, 4));
        Assert.Contains("null_class_label", e.Message);
    }
}
