using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Tests.Sampling;

public class SamplingPathTests
{
    private static readonly DiscreteSchedule Ddpm = new(BetaSchedule.Create("linear", 1000, 1e-4, 0.02));

    private static double[] Times(TimestepSpacing spacing, int steps = 10, int offset = 0) =>
        SamplingPath.Create(Ddpm, steps, spacing, offset).Select(p => p.Time).ToArray();

    [Fact]
    public void SpacingsMatchDiffusersDocumentedExamples()
    {
        // diffusers, T = 1000 and 10 inference steps; each path ends with the clean point (time -1).
        Assert.Equal([999, 899, 799, 699, 599, 499, 399, 299, 199, 99, -1], Times(TimestepSpacing.Trailing));
        Assert.Equal([900, 800, 700, 600, 500, 400, 300, 200, 100, 0, -1], Times(TimestepSpacing.Leading));
        Assert.Equal([999, 888, 777, 666, 555, 444, 333, 222, 111, 0, -1], Times(TimestepSpacing.Linspace));
    }

    [Fact]
    public void LeadingAddsStepsOffset()
    {
        Assert.Equal([901, 801, 701, 601, 501, 401, 301, 201, 101, 1, -1], Times(TimestepSpacing.Leading, offset: 1));
    }

    [Fact]
    public void EveryPathEndsExactlyOnTheCleanSample()
    {
        foreach (var spacing in Enum.GetValues<TimestepSpacing>())
        {
            var path = SamplingPath.Create(Ddpm, 7, spacing);
            Assert.True(path[^1].IsClean);
            Assert.Equal(1, path[^1].Alpha);
            for (int i = 1; i < path.Length; i++) Assert.True(path[i].Sigma < path[i - 1].Sigma, $"{spacing} is not decreasing at {i}");
        }
    }

    [Fact]
    public void KarrasSigmasFollowTheRhoSchedule()
    {
        var path = SamplingPath.Create(Ddpm, 5, TimestepSpacing.Karras);
        double max = Ddpm.MaxScaledSigma, min = Ddpm.MinScaledSigma;
        Assert.Equal(max, path[0].ScaledSigma, 9);
        Assert.Equal(min, path[4].ScaledSigma, 9);
        double mid = Math.Pow((Math.Pow(max, 1 / 7.0) + Math.Pow(min, 1 / 7.0)) / 2, 7);
        Assert.Equal(1, path[2].ScaledSigma / mid, 6);
    }

    [Fact]
    public void IntegerTimesAreRoundedAndDeduplicated()
    {
        var path = SamplingPath.Create(Ddpm, 200, TimestepSpacing.Karras, integerTimes: true);
        Assert.All(path[..^1], p => Assert.Equal(Math.Round(p.Time), p.Time));
        Assert.Equal(path.Length, path.Select(p => p.Time).Distinct().Count());
        Assert.True(path.Length < 201);
    }

    [Fact]
    public void UniformCoversAContinuousScheduleFromOneToEps()
    {
        var vp = new VpSchedule(false, eps: 1e-3);
        var path = SamplingPath.Create(vp, 4, TimestepSpacing.Uniform);
        Assert.Equal([1, 1 - 0.999 / 3, 1 - 2 * 0.999 / 3, 1e-3, 0], path.Select(p => p.Time).ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void BadStepCountsAndSpacingsAreClearErrors()
    {
        Assert.Contains("at least 1", Assert.ThrowsAny<DiffusionException>(() => SamplingPath.Create(Ddpm, 0, TimestepSpacing.Leading)).Message);
        Assert.Contains("1000 training steps", Assert.ThrowsAny<DiffusionException>(() => SamplingPath.Create(Ddpm, 1001, TimestepSpacing.Leading)).Message);
        Assert.Contains("continuous", Assert.ThrowsAny<DiffusionException>(() => SamplingPath.Create(new VeSchedule(), 10, TimestepSpacing.Trailing)).Message);
        Assert.Contains("karras", Assert.ThrowsAny<DiffusionException>(() => TimestepSpacingNames.Parse("exponential")).Message);
    }

    [Fact]
    public void AThousandLeadingStepsVisitEveryTrainingIndex()
    {
        var times = Times(TimestepSpacing.Leading, 1000);
        Assert.Equal(Enumerable.Range(0, 1000).Reverse().Select(i => (double)i).Append(-1), times);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
