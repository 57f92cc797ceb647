using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;
using Diffusion.Torch;
using Diffusion.Training.Training;

namespace Diffusion.Training.Objectives;

/// <summary>
/// The one loss every objective here shares. A sample is noised to <c>x_t = alpha(t) x0 + sigma(t) eps</c>
/// at a time drawn by the subclass, with alpha and sigma taken from the runtime's own schedule
/// (<see cref="SchedulerConfig.CreateSchedule"/>), and the network receives the timestep value the
/// runtime will feed it (<see cref="SchedulerConfig.TimestepValue"/>); training and sampling
/// therefore cannot disagree about the process. A network with <see cref="IDenoisingNetwork.Preconditioning"/>
/// receives <c>c_in x_t / alpha</c>; with output preconditioning it is trained on EDM's F target instead (see
/// <see cref="Training.Preconditioning"/>). Otherwise the squared error is taken in the network's own
/// parameterisation:
/// <list type="bullet">
/// <item>epsilon: <c>out - eps</c> (Ho et al. 2020, eq. 14);</item>
/// <item>sample: <c>out - x0</c>;</item>
/// <item>v_prediction: <c>out - (alpha eps - sigma x0)</c> (Salimans &amp; Ho 2022);</item>
/// <item>score: <c>sigma out + eps</c>, i.e. <c>out - (-eps / sigma)</c> weighted by lambda = sigma^2
/// (Song &amp; Ermon 2019, eq. 5-6; Song et al. 2021, eq. 7 with lambda(t) = sigma(t)^2), which is
/// the epsilon loss of the network <c>-sigma out</c>.</item>
/// </list>
/// </summary>
public abstract class DenoisingObjective : IObjective
{
    /// <summary>Validates the config and builds its schedule.</summary>
    /// <exception cref="DiffusionException">The config is invalid; the message names the key.</exception>
    protected DenoisingObjective(SchedulerConfig config, LossReduction reduction, NoiseLevelRecipe? recipe = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        SchedulerConfig = config;
        Schedule = config.CreateSchedule();
        Reduction = reduction;
        Recipe = recipe ?? NoiseLevelRecipe.Own;
        Recipe.Validate();
    }

    /// <summary>Which noise levels are drawn and how their errors are weighted.</summary>
    public NoiseLevelRecipe Recipe { get; }

    /// <summary>
    /// The times a discrete objective trains at (every level is one of them), or null for a continuous one,
    /// which trains anywhere in [<see cref="NoiseSchedule.MinTime"/>, <see cref="NoiseSchedule.MaxTime"/>].
    /// </summary>
    protected virtual IReadOnlyList<double>? TrainingTimes => null;

    /// <summary>
    /// The probability of each of <see cref="TrainingTimes"/> under <see cref="Recipe"/>'s sampling: the mass the
    /// distribution of s = ln(sigma / alpha) puts on the cell of s values nearest to that time's (cells end
    /// half-way between neighbours, the outer ones at the first and last level). Null for a continuous objective.
    /// </summary>
    public double[]? LevelProbabilities()
    {
        if (TrainingTimes is not { } times) return null;
        int n = times.Count;
        if (Recipe.Sampling == NoiseSampling.Uniform) return [.. Enumerable.Repeat(1.0 / n, n)];
        var s = times.Select(t => Math.Log(Schedule.At(t).ScaledSigma)).ToArray();
        double lo = s.Min(), hi = s.Max();
        var p = new double[n];
        for (int i = 0; i < n; i++)
        {
            double a = i == 0 ? s[0] : 0.5 * (s[i - 1] + s[i]);
            double b = i == n - 1 ? s[n - 1] : 0.5 * (s[i] + s[i + 1]);
            p[i] = Math.Abs(Cumulative(b) - Cumulative(a));
        }
        double total = p.Sum();
        return total > 0 ? Array.ConvertAll(p, v => v / total) : [.. Enumerable.Repeat(1.0 / n, n)];

        double Cumulative(double x) => Recipe.Sampling == NoiseSampling.LogNormal
            ? NormalMath.Cdf((x - Recipe.PMean) / Recipe.PStd)
            : (x - lo) / (hi - lo);
    }

    /// <summary>The range of s = ln(sigma / alpha) a continuous objective trains over.</summary>
    public (double Min, double Max) LogSigmaRange => (Math.Log(Schedule.At(Schedule.MinTime).ScaledSigma), Math.Log(Schedule.At(Schedule.MaxTime).ScaledSigma));

    /// <summary>One schedule time per sample, as <see cref="Recipe"/> draws them.</summary>
    private double[] DrawRecipeTimes(int count, Generator generator)
    {
        if (Recipe.Sampling == NoiseSampling.Uniform) return DrawTimes(count, generator);
        using var draws = torch.rand([count], generator, ScalarType.Float64);
        double[] u = draws.ToArray<double>();
        if (TrainingTimes is { } times)
        {
            var cumulative = LevelProbabilities()!;
            for (int i = 1; i < cumulative.Length; i++) cumulative[i] += cumulative[i - 1];
            return Array.ConvertAll(u, v =>
            {
                int i = Array.BinarySearch(cumulative, v * cumulative[^1]);
                i = i < 0 ? ~i : i;
                return times[Math.Min(i, times.Count - 1)];
            });
        }
        var (sMin, sMax) = LogSigmaRange;
        return Array.ConvertAll(u, v => Schedule.TimeOfScaledSigma(Math.Exp(Recipe.LogSigmaAt(v, sMin, sMax))));
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public SchedulerConfig SchedulerConfig { get; }

    /// <summary>The noise process, as the runtime builds it from <see cref="SchedulerConfig"/>.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>How the squared errors are reduced.</summary>
    public LossReduction Reduction { get; }

    /// <summary>What the network predicts.</summary>
    public PredictionType Prediction => SchedulerConfig.PredictionType;

    /// <summary>Draws one schedule time per sample.</summary>
    protected abstract double[] DrawTimes(int count, Generator generator);

    /// <inheritdoc />
    public TrainingNoise Draw(ReadOnlySpan<long> shape, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (shape.Length < 2 || shape[0] < 1) throw new ArgumentException($"a batch needs a shape [N, ...] with N at least 1, got [{string.Join(", ", shape.ToArray())}]", nameof(shape));
        double[] times = DrawRecipeTimes(checked((int)shape[0]), generator);
        return new TrainingNoise(times, torch.randn(shape, generator));
    }

    /// <inheritdoc />
    public Tensor Loss(IDenoisingNetwork network, Tensor x0, Tensor? classLabels, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(x0);
        return Loss(network, x0, classLabels, Draw(x0.shape, generator));
    }

    /// <inheritdoc />
    public Tensor Loss(IDenoisingNetwork network, Tensor x0, Tensor? classLabels, TrainingNoise noise)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(noise);
        long[] shape = x0.shape;
        long n = shape[0];
        if (noise.Times.Length != n || !noise.Noise.shape.SequenceEqual(shape))
        {
            throw new ArgumentException(
                $"the noise holds {noise.Times.Length} times and a [{string.Join(", ", noise.Noise.shape)}] tensor for a batch shaped [{string.Join(", ", shape)}]", nameof(noise));
        }

        using var scope = torch.NewDisposeScope();
        var points = Array.ConvertAll(noise.Times, Schedule.At);
        long[] perSample = [n, .. Enumerable.Repeat(1L, shape.Length - 1)];
        var alpha = torch.FromData<float>(Array.ConvertAll(points, p => (float)p.Alpha), perSample);
        var sigma = torch.FromData<float>(Array.ConvertAll(points, p => (float)p.Sigma), perSample);
        var timestep = torch.FromData<float>(Array.ConvertAll(points, p => (float)SchedulerConfig.TimestepValue(p)), [n]);
        var eps = noise.Noise;
        var noisy = alpha * x0 + sigma * eps;
        var preconditioning = network.Preconditioning;
        Tensor PerSample(Func<Preconditioning, TimePoint, double> factor) =>
            torch.FromData<float>(Array.ConvertAll(points, p => (float)factor(preconditioning!, p)), perSample);
        var input = preconditioning is null ? noisy : noisy * PerSample((c, p) => c.InputFactor(p.Alpha, p.Sigma));
        var output = network.Forward(input, timestep, classLabels);
        if (!output.shape.SequenceEqual(shape))
        {
            throw new ArgumentException($"the network returned [{string.Join(", ", output.shape)}] for a batch shaped [{string.Join(", ", shape)}]", nameof(network));
        }
        var error = preconditioning is { Output: true } ? OutputPreconditioned() : Prediction switch
        {
            PredictionType.Epsilon => output - eps,
            PredictionType.Sample => output - x0,
            PredictionType.VPrediction => output - (alpha * eps - sigma * x0),
            PredictionType.Score => sigma * output + eps,
            _ => throw new ArgumentOutOfRangeException(nameof(Prediction)),
        };
        // EDM eq. 8 with lambda = 1 / c_out^2: F - (x0 - c_skip x / alpha) / c_out.
        Tensor OutputPreconditioned() => Prediction == PredictionType.Sample
            ? output - (x0 - PerSample((c, p) => c.SkipFactor(p.Alpha, p.Sigma)) * noisy) / PerSample((c, p) => c.OutputFactor(p.Alpha, p.Sigma))
            : throw new DiffusionException($"a network with output preconditioning predicts the clean sample, but the objective's prediction is {Prediction.Name()}: train it with --prediction sample.");
        var squares = error.square();
        if (Recipe.Weighting != LossWeighting.Own)
        {
            var prediction = preconditioning is { Output: true } ? PredictionType.Sample : Prediction;
            squares = squares * torch.FromData<float>(Array.ConvertAll(points, p => (float)Recipe.ErrorFactor(prediction, preconditioning, p.Alpha, p.Sigma)), perSample);
        }
        var loss = Reduction == LossReduction.MeanOverElements ? squares.mean() : squares.sum() * (0.5 / n);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Throws unless <paramref name="config"/> describes one of <paramref name="schedules"/>.</summary>
    protected static SchedulerConfig Require(SchedulerConfig config, string objective, params string[] schedules)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!schedules.Contains(config.NoiseSchedule))
        {
            throw new DiffusionException(
                $"the {objective} objective trains a {string.Join(" or ", schedules)} noise process, but the config's noise_schedule is '{config.NoiseSchedule}'.");
        }
        return config;
    }
}
