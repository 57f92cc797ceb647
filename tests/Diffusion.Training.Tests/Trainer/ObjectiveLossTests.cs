using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Torch;
using Diffusion.Training.Objectives;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>
/// Each objective's loss on a fixed batch (x0, noise, times) and a network with a known output
/// equals the loss written out by hand from the papers' formulas.
/// </summary>
public class ObjectiveLossTests
{
    // Two 2-D samples laid out [N, 2, 1, 1] and their noise.
    private static readonly double[][] X0 = [[1.0, -2.0], [0.5, 3.0]];
    private static readonly double[][] Eps = [[0.3, -0.7], [1.2, 0.4]];
    private static readonly AffineNetwork Net = new(0.5, 0.1);

    private static double Loss(IObjective objective, double[] times)
    {
        using var scope = torch.NewDisposeScope();
        var x0 = torch.FromData<float>(Flatten(X0), [2, 2, 1, 1]);
        var noise = torch.FromData<float>(Flatten(Eps), [2, 2, 1, 1]);
        return objective.Loss(Net, x0, null, new TrainingNoise(times, noise)).item<double>();
    }

    private static float[] Flatten(double[][] rows) => [.. rows.SelectMany(r => r.Select(v => (float)v))];

    /// <summary>The per-element error for sample i given alpha_i, sigma_i and how the target is formed.</summary>
    private static double[][] Errors(double[] alpha, double[] sigma, Func<double, double, double, double, double, double> error)
    {
        var errors = new double[2][];
        for (int i = 0; i < 2; i++)
        {
            errors[i] = new double[2];
            for (int d = 0; d < 2; d++)
            {
                double xt = alpha[i] * X0[i][d] + sigma[i] * Eps[i][d];
                double output = Net.Scale * xt + Net.Shift;
                errors[i][d] = error(output, X0[i][d], Eps[i][d], alpha[i], sigma[i]);
            }
        }
        return errors;
    }

    private static double MeanOverElements(double[][] errors) => errors.SelectMany(e => e).Average(e => e * e);

    private static double HalfSumPerSample(double[][] errors) => errors.Average(e => 0.5 * e.Sum(v => v * v));

    // DDPM, T = 4, linear betas 0.1, 0.2, 0.3, 0.4: alpha_bar = 0.9, 0.72, 0.504, 0.3024 (Ho et al. 2020, eq. 4).
    private static readonly double[] AlphaBar = [0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.7, 0.9 * 0.8 * 0.7 * 0.6];

    private static (double[] Alpha, double[] Sigma) Ddpm(params int[] t) =>
        ([.. t.Select(i => Math.Sqrt(AlphaBar[i]))], [.. t.Select(i => Math.Sqrt(1 - AlphaBar[i]))]);

    [Fact]
    public void DdpmEpsilonLossIsTheMeanSquaredNoiseError()
    {
        var objective = DdpmObjective.Create(timesteps: 4, betaStart: 0.1, betaEnd: 0.4);
        var (alpha, sigma) = Ddpm(2, 0);
        double expected = MeanOverElements(Errors(alpha, sigma, (o, x, e, a, s) => o - e));
        Assert.Equal(expected, Loss(objective, [2, 0]), 1e-5);
        Assert.Equal([2f, 0f], Net.Timesteps); // the network is conditioned on the index itself
    }

    [Fact]
    public void DdpmSamplePredictionTargetsTheCleanSample()
    {
        var objective = DdpmObjective.Create(timesteps: 4, betaStart: 0.1, betaEnd: 0.4, prediction: PredictionType.Sample);
        var (alpha, sigma) = Ddpm(3, 1);
        Assert.Equal(MeanOverElements(Errors(alpha, sigma, (o, x, e, a, s) => o - x)), Loss(objective, [3, 1]), 1e-5);
    }

    [Fact]
    public void DdpmVPredictionTargetsAlphaEpsMinusSigmaX0()
    {
        var objective = DdpmObjective.Create(timesteps: 4, betaStart: 0.1, betaEnd: 0.4, prediction: PredictionType.VPrediction);
        var (alpha, sigma) = Ddpm(1, 3);
        Assert.Equal(MeanOverElements(Errors(alpha, sigma, (o, x, e, a, s) => o - (a * e - s * x))), Loss(objective, [1, 3]), 1e-5);
    }

    [Fact]
    public void DdpmCosineScheduleNoisesWithNicholDhariwalAlphaBar()
    {
        // alpha_bar(t) = f(t) / f(0), f(u) = cos^2((u + s) / (1 + s) * pi / 2), s = 0.008 (Nichol & Dhariwal 2021, eq. 17);
        // index i is the end of step i + 1, u = (i + 1) / T.
        static double F(double u) => Math.Pow(Math.Cos((u + 0.008) / 1.008 * Math.PI / 2), 2);
        const int T = 10;
        var objective = DdpmObjective.Create(timesteps: T, betaSchedule: "squaredcos_cap_v2");
        double[] ab = [F(4.0 / T) / F(0), F(8.0 / T) / F(0)];
        double[] alpha = [.. ab.Select(Math.Sqrt)], sigma = [.. ab.Select(a => Math.Sqrt(1 - a))];
        Assert.Equal(MeanOverElements(Errors(alpha, sigma, (o, x, e, a, s) => o - e)), Loss(objective, [3, 7]), 1e-5);
    }

    [Fact]
    public void NcsnLossIsHalfTheSquaredNormOfSigmaScorePlusNoise()
    {
        // Levels 0.1, 0.2, 0.4: level i at t = i / 2 (Song & Ermon 2019, eq. 5-6, lambda = sigma^2).
        var objective = NcsnObjective.Create(levels: 3, sigmaMin: 0.1, sigmaMax: 0.4);
        double[] sigma = [0.4, 0.1], alpha = [1, 1];
        double expected = HalfSumPerSample(Errors(alpha, sigma, (score, x, z, a, s) => s * score + z));
        Assert.Equal(expected, Loss(objective, [1.0, 0.0]), 1e-5);
        // Conditioned on log sigma, stretched so that the levels span about 999 units.
        var config = objective.SchedulerConfig;
        Assert.Equal(999 / Math.Log(4), config.TimestepScale, 0.01);
        Assert.Equal(config.TimestepScale * Math.Log(0.4), Net.Timesteps[0], 0.01);
        Assert.Equal(config.TimestepScale * Math.Log(0.1), Net.Timesteps[1], 0.01);
    }

    [Fact]
    public void VpLossIsTheEpsilonLossOfSongEtAl()
    {
        // log alpha(t) = -t^2 (beta_max - beta_min) / 4 - t beta_min / 2, sigma = sqrt(1 - alpha^2) (Song et al. 2021, eq. 33).
        static double Alpha(double t) => Math.Exp(-t * t * (20 - 0.1) / 4 - t * 0.1 / 2);
        var objective = ScoreSdeObjective.Create("vp");
        double[] t = [0.5, 0.25];
        double[] alpha = [.. t.Select(Alpha)], sigma = [.. alpha.Select(a => Math.Sqrt(1 - a * a))];
        Assert.Equal(HalfSumPerSample(Errors(alpha, sigma, (o, x, e, a, s) => o - e)), Loss(objective, t), 1e-5);
        Assert.Equal([499.5f, 249.75f], Net.Timesteps); // t * 999
    }

    [Fact]
    public void SubVpNoisesWithOneMinusAlphaSquared()
    {
        static double Alpha(double t) => Math.Exp(-t * t * (20 - 0.1) / 4 - t * 0.1 / 2);
        var objective = ScoreSdeObjective.Create("subvp");
        double[] t = [0.1, 0.9];
        double[] alpha = [.. t.Select(Alpha)], sigma = [.. alpha.Select(a => 1 - a * a)];
        Assert.Equal(HalfSumPerSample(Errors(alpha, sigma, (o, x, e, a, s) => o - e)), Loss(objective, t), 1e-5);
    }

    [Fact]
    public void VeLossWeightsTheScoreErrorBySigmaSquared()
    {
        // sigma(t) = sigma_min (sigma_max / sigma_min)^t (Song et al. 2021, eq. 31); lambda(t) = sigma(t)^2.
        var objective = ScoreSdeObjective.Create("ve", sigmaMin: 0.01, sigmaMax: 4);
        double[] t = [0.5, 0.75];
        double[] sigma = [.. t.Select(u => 0.01 * Math.Pow(400, u))], alpha = [1, 1];
        // lambda ||s - grad log p||^2 with grad log p(x~ | x) = -z / sigma and lambda = sigma^2: the error is sigma (s + z / sigma).
        double expected = HalfSumPerSample(Errors(alpha, sigma, (score, x, z, a, s) => s * (score - (-z / s))));
        Assert.Equal(expected, Loss(objective, t), 1e-4);
    }

    [Fact]
    public void ScorePredictionLossEqualsTheEpsilonLossOfMinusSigmaTimesTheScore()
    {
        // The sigma^2-weighted score loss is the epsilon loss of eps_hat = -sigma s: the two parameterisations agree.
        var scoreObjective = ScoreSdeObjective.Create("ve", sigmaMax: 2, prediction: PredictionType.Score);
        var epsObjective = ScoreSdeObjective.Create("ve", sigmaMax: 2, prediction: PredictionType.Epsilon);
        double[] t = [0.3, 0.6];
        using var scope = torch.NewDisposeScope();
        var x0 = torch.FromData<float>(Flatten(X0), [2, 2, 1, 1]);
        var noise = torch.FromData<float>(Flatten(Eps), [2, 2, 1, 1]);
        double[] sigma = [.. t.Select(u => scoreObjective.Schedule.At(u).Sigma)];
        var sigmas = torch.FromData<float>([.. sigma.Select(s => (float)s)], [2, 1, 1, 1]);
        var scoreNet = new AffineNetwork(0.5, 0.1);
        double scoreLoss = scoreObjective.Loss(scoreNet, x0, null, new TrainingNoise(t, noise)).item<double>();
        var epsNet = new NegatedScaled(scoreNet, sigmas);
        double epsLoss = epsObjective.Loss(epsNet, x0, null, new TrainingNoise(t, noise)).item<double>();
        Assert.Equal(scoreLoss, epsLoss, 1e-5);
    }

    [Fact]
    public void DrawnTimesLieOnEachObjectivesTrainingSet()
    {
        using var generator = new Generator(5);
        using var scope = torch.NewDisposeScope();
        var ddpm = DdpmObjective.Create(timesteps: 50).Draw([400, 2, 1, 1], generator).Times;
        Assert.All(ddpm, t => Assert.True(t == Math.Floor(t) && t is >= 0 and <= 49));
        Assert.True(ddpm.Distinct().Count() > 40, "400 draws should visit most of the 50 indices");

        var ncsn = NcsnObjective.Create(levels: 5).Draw([400, 2, 1, 1], generator).Times;
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], ncsn.Distinct().Order());

        var vp = ScoreSdeObjective.Create("vp", eps: 0.01).Draw([400, 2, 1, 1], generator).Times;
        Assert.All(vp, t => Assert.InRange(t, 0.01, 1));
        Assert.InRange(vp.Average(), 0.45, 0.56);
    }

    [Fact]
    public void ObjectivesAreRestoredFromTheConfigTheyExport()
    {
        IObjective[] objectives =
        [
            DdpmObjective.Create(prediction: PredictionType.VPrediction),
            NcsnObjective.Create(levels: 7, sigmaMax: 3),
            ScoreSdeObjective.Create("vp"),
            ScoreSdeObjective.Create("subvp"),
            ScoreSdeObjective.Create("ve", sigmaMax: 10, timestepInput: TimestepInput.Sigma),
        ];
        foreach (var objective in objectives)
        {
            var config = SchedulerConfig.Parse(objective.SchedulerConfig.ToJson(), "test");
            var restored = ObjectiveRegistry.Restore(objective.Name, config);
            Assert.Equal(objective.GetType(), restored.GetType());
            Assert.Equal(objective.SchedulerConfig, restored.SchedulerConfig);
        }
    }

    [Fact]
    public void AnIndexInputIsRefusedForAContinuousProcess()
    {
        var e = Assert.Throws<Runtime.DiffusionException>(() => ScoreSdeObjective.Create("vp", timestepInput: TimestepInput.Index));
        Assert.Contains("index", e.Message);
        Assert.Throws<Runtime.DiffusionException>(() => ObjectiveRegistry.Create(new ObjectiveOptions { Name = "nope" }));
        Assert.Throws<Runtime.DiffusionException>(() => ObjectiveRegistry.Restore("ddpm", ScoreSdeObjective.Create("ve").SchedulerConfig));
    }

    /// <summary>eps_hat = -sigma * inner(x).</summary>
    private sealed class NegatedScaled(IDenoisingNetwork inner, Tensor sigma) : IDenoisingNetwork
    {
        public Tensor Forward(Tensor sample, Tensor timestep, Tensor? classLabels) => -(sigma * inner.Forward(sample, timestep, classLabels));
    }
}
