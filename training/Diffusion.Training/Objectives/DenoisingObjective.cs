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
    protected DenoisingObjective(SchedulerConfig config, LossReduction reduction)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        SchedulerConfig = config;
        Schedule = config.CreateSchedule();
        Reduction = reduction;
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
        double[] times = DrawTimes(checked((int)shape[0]), generator);
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
