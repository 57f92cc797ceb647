using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Tests.Schedules;

public class ContinuousScheduleTests
{
    /// <summary>Delegates At to a schedule but keeps the base class's finite-difference SDE coefficients.</summary>
    private sealed class FiniteDifferenceView(NoiseSchedule inner) : NoiseSchedule
    {
        public override double MinTime => inner.MinTime;
        public override double MaxTime => inner.MaxTime;
        public override double TrainingStep => inner.TrainingStep;
        public override TimePoint At(double time) => inner.At(time);
        public override string Describe() => "view";
    }

    public static TheoryData<string> Schedules => new() { "vp", "subvp", "ve" };

    private static NoiseSchedule Create(string name) => name switch
    {
        "vp" => new VpSchedule(false),
        "subvp" => new VpSchedule(true),
        _ => new VeSchedule(0.01, 50),
    };

    [Fact]
    public void VpPreservesVarianceAndSubVpHasSmallerNoise()
    {
        var vp = new VpSchedule(false);
        var sub = new VpSchedule(true);
        foreach (double t in new[] { 0.001, 0.3, 1.0 })
        {
            var p = vp.At(t);
            Assert.Equal(1, p.Alpha * p.Alpha + p.Sigma * p.Sigma, 12);
            var q = sub.At(t);
            Assert.Equal(p.Alpha, q.Alpha, 14);
            Assert.Equal(1 - p.Alpha * p.Alpha, q.Sigma, 12);
            Assert.True(q.Sigma <= p.Sigma);
        }
        // Song et al. 2021, eq. 33: log alpha(1) = -(beta_max - beta_min)/4 - beta_min/2.
        Assert.Equal(Math.Exp(-19.9 / 4 - 0.05), vp.At(1).Alpha, 12);
    }

    [Fact]
    public void VeSigmaIsGeometric()
    {
        var ve = new VeSchedule(0.01, 50);
        Assert.Equal(0.01, ve.At(0).Sigma, 12);
        Assert.Equal(50, ve.At(1).Sigma, 9);
        Assert.Equal(Math.Sqrt(0.01 * 50), ve.At(0.5).Sigma, 9);
        Assert.Equal(1, ve.At(0.5).Alpha);
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void FiniteDifferenceSdeCoefficientsMatchClosedForms(string name)
    {
        var schedule = Create(name);
        var general = new FiniteDifferenceView(schedule);
        foreach (double t in new[] { 0.05, 0.4, 0.9 })
        {
            var (f, g2) = schedule.SdeCoefficients(t);
            var (fd, gd2) = general.SdeCoefficients(t);
            Assert.Equal(f, fd, 5);
            Assert.Equal(1, gd2 / g2, 5);
        }
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void TimeOfScaledSigmaInvertsTheSchedule(string name)
    {
        var schedule = Create(name);
        foreach (double t in new[] { 0.01, 0.37, 0.99 })
            Assert.Equal(t, schedule.TimeOfScaledSigma(schedule.At(t).ScaledSigma), 7);
    }

    [Fact]
    public void OneStepSignalIsOneMinusBetaForDiscreteAndOneForVe()
    {
        var discrete = new DiscreteSchedule(BetaSchedule.Create("linear", 1000, 1e-4, 0.02));
        Assert.Equal(1 - discrete.Betas[500], discrete.OneStepSignal(500), 12);
        Assert.Equal(1, new VeSchedule().OneStepSignal(0.5), 12);
    }
}
