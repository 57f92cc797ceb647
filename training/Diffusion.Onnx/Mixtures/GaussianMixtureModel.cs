using System.Text;
using Diffusion.Onnx.Graphs;
using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Models;
using Onnx;

namespace Diffusion.Onnx.Mixtures;

/// <summary>
/// Builds the ONNX model a perfectly trained diffusion model would be for data drawn from an
/// isotropic Gaussian mixture: its output is the exact epsilon, x_0, v or score at every noise
/// level, so samplers can be checked end to end against closed forms.
/// </summary>
/// <remarks>
/// Noising x_0 ~ sum_k w_k N(mu_k, s_k^2 I) as x = alpha x_0 + sigma eps gives
/// p_t(x) = sum_k w_k N(x; alpha mu_k, v_k I) with v_k = alpha^2 s_k^2 + sigma^2. With the
/// responsibilities r_k(x) = softmax_k(log w_k - D/2 log v_k - |x - alpha mu_k|^2 / (2 v_k))
/// and d_k = x - alpha mu_k, the graph computes, per sample,
/// score = -sum_k (r_k / v_k) d_k, eps = E[eps | x] = sigma sum_k (r_k / v_k) d_k,
/// x_0 = E[x_0 | x] = sum_k r_k (mu_k + alpha s_k^2 / v_k d_k), and v = alpha eps - sigma x_0.
/// These forms equal eps = -sigma score and x_0 = (x + sigma^2 score) / alpha (Tweedie's formula)
/// but avoid their cancellation at small sigma or small alpha.
/// </remarks>
public static class GaussianMixtureModel
{
    /// <summary>The model file name inside a diffusers-style folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>Builds the model of <paramref name="mixture"/> shaped by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options do not fit together or the mixture; the message says what to change.</exception>
    public static ModelProto Build(MixtureComponents mixture, GaussianMixtureModelOptions options) =>
        CreateBuilder(mixture, options).Build();

    /// <summary>The builder holding the model, for callers that add metadata or nodes before saving.</summary>
    /// <inheritdoc cref="Build" path="/exception"/>
    public static OnnxModelBuilder CreateBuilder(MixtureComponents mixture, GaussianMixtureModelOptions options)
    {
        Validate(mixture, options);
        var g = new OnnxModelBuilder("gaussian_mixture")
        {
            DocString = $"Exact {options.Scheduler.PredictionType.Name()} prediction for a {mixture.Count}-component isotropic Gaussian mixture in {mixture.Dimension} dimensions.",
        };
        foreach (var (key, value) in options.Metadata)
            g.Metadata[key] = value;
        if (options.EmbedSchedulerConfig)
            g.Metadata[SchedulerConfig.MetadataKey] = SchedulerConfigFor(mixture, options).ToJson();

        Dim batch = options.BatchSize is { } n ? n : "batch";
        Dim[] sampleDims = [batch, .. options.SampleShape.Select(d => (Dim)d)];
        Dim[] timestepDims = options.TimestepShape switch
        {
            TimestepShape.Batch => [batch],
            TimestepShape.One => [1],
            _ => [],
        };
        var sample = g.Input(options.SampleName, options.SampleType, sampleDims);
        var timestep = g.Input(options.TimestepName, options.TimestepType, timestepDims);
        var labels = options.ClassConditional ? g.Input(options.ClassLabelsName, ElementType.Int64, batch) : null;

        var x = options.SampleType == ElementType.Float32 ? sample : g.Cast(sample, ElementType.Float32);
        var (alpha, sigma) = NoiseLevelGraph.Build(g, timestep, options.TimestepType, options.Scheduler);
        var prediction = Predict(g, mixture, options.Scheduler.PredictionType, x, alpha, sigma, labels);
        var output = g.Reshape(prediction, g.Shape(x));
        if (options.SampleType != ElementType.Float32)
            output = g.Cast(output, options.SampleType);
        g.Output(output, options.OutputName, options.SampleType, sampleDims);
        return g;
    }

    /// <summary>
    /// The scheduler config of the model <see cref="Build"/> makes:
    /// <see cref="GaussianMixtureModelOptions.Scheduler"/>, with num_classes = K and
    /// null_class_label = K when class-conditional.
    /// </summary>
    public static SchedulerConfig SchedulerConfigFor(MixtureComponents mixture, GaussianMixtureModelOptions options) =>
        options.ClassConditional
            ? options.Scheduler with { NumClasses = mixture.Count, NullClassLabel = mixture.Count }
            : options.Scheduler;

    /// <summary>
    /// Lays the model out as diffusers does: <paramref name="directory"/>/<c>model.onnx</c>
    /// (config not embedded) beside <c>scheduler_config.json</c>. Both files are written atomically.
    /// </summary>
    public static void SaveDiffusersLayout(MixtureComponents mixture, GaussianMixtureModelOptions options, string directory)
    {
        Build(mixture, options with { EmbedSchedulerConfig = false }).Save(Path.Combine(directory, ModelFileName));
        AtomicFile.WriteAllBytes(Path.Combine(directory, SchedulerConfig.FileName),
            Encoding.UTF8.GetBytes(SchedulerConfigFor(mixture, options).ToJson() + "\n"));
    }

    // x: [N, ...] float32; alpha, sigma: [N], [1] or scalar. Returns the prediction as [N, 1, D].
    private static string Predict(OnnxModelBuilder g, MixtureComponents mixture, PredictionType prediction,
        string x, string alpha, string sigma, string? labels)
    {
        int k = mixture.Count, d = mixture.Dimension;
        var means = g.Initializer("mixture_means", mixture.Means.SelectMany(m => m).Select(v => (float)v).ToArray(), [k, d]);
        var variances0 = g.Initializer("mixture_variances", mixture.Stds.Select(s => (float)(s * s)).ToArray());

        var alphaColumn = g.Reshape(alpha, -1, 1);        // [N, 1]
        var sigmaColumn = g.Reshape(sigma, -1, 1);
        var alphaCube = g.Reshape(alpha, -1, 1, 1);       // [N, 1, 1]
        var sigmaCube = g.Reshape(sigma, -1, 1, 1);

        var points = g.Reshape(x, 0, 1, d);                                            // [N, 1, D]
        var offsets = g.Sub(points, g.Mul(alphaCube, means));                           // d_k = x - alpha mu_k: [N, K, D]
        var squaredDistances = g.ReduceSum(g.Mul(offsets, offsets), [2], keepDims: false); // [N, K]
        var variances = g.Add(g.Mul(g.Mul(alphaColumn, alphaColumn), variances0), g.Mul(sigmaColumn, sigmaColumn)); // v_k: [N, K]

        // log N(x; alpha mu_k, v_k I) + log w_k, up to the constant -D/2 log(2 pi).
        var logits = g.Sub(
            g.Sub(LogWeights(g, mixture, labels), g.Mul(g.Constant(d / 2f), g.Log(variances))),
            g.Div(squaredDistances, g.Add(variances, variances)));
        var responsibilities = Softmax(g, logits);                                     // r_k: [N, K]
        var overVariance = g.Div(responsibilities, variances);                         // r_k / v_k
        var weightedOffsets = g.MatMul(g.Reshape(overVariance, 0, 1, k), offsets);     // sum_k r_k d_k / v_k: [N, 1, D]

        string Epsilon() => g.Mul(sigmaCube, weightedOffsets);
        string Denoised()
        {
            var meanPart = g.MatMul(g.Reshape(responsibilities, 0, 1, k), means);      // sum_k r_k mu_k
            var shrink = g.Reshape(g.Mul(overVariance, variances0), 0, 1, k);          // r_k s_k^2 / v_k
            return g.Add(meanPart, g.Mul(alphaCube, g.MatMul(shrink, offsets)));
        }
        return prediction switch
        {
            PredictionType.Score => g.Neg(weightedOffsets),
            PredictionType.Epsilon => Epsilon(),
            PredictionType.Sample => Denoised(),
            PredictionType.VPrediction => g.Sub(g.Mul(alphaCube, Epsilon()), g.Mul(sigmaCube, Denoised())),
            _ => throw new ArgumentOutOfRangeException(nameof(prediction), prediction, "unknown prediction type"),
        };
    }

    // log w_k: [K]; class-conditional: a row per label, [N, K]. Label c < K keeps only component
    // c (log 1 = 0, log 0 = -inf); the null label K keeps the mixture's own weights.
    private static string LogWeights(OnnxModelBuilder g, MixtureComponents mixture, string? labels)
    {
        var logWeights = mixture.Weights.Select(w => (float)Math.Log(w)).ToArray();
        if (labels is null)
            return g.Initializer("mixture_log_weights", logWeights);
        int k = mixture.Count;
        var table = new float[(k + 1) * k];
        Array.Fill(table, float.NegativeInfinity);
        for (var c = 0; c < k; c++)
            table[c * k + c] = 0;
        logWeights.CopyTo(table, k * k);
        return g.Gather(g.Initializer("log_weights_by_class_label", table, [k + 1, k]), labels);
    }

    // Softmax over the last axis (components) with the maximum subtracted first, so exp never overflows.
    private static string Softmax(OnnxModelBuilder g, string logits)
    {
        var shifted = g.Sub(logits, g.ReduceMax(logits, [1]));
        var exps = g.Exp(shifted);
        return g.Div(exps, g.ReduceSum(exps, [1]));
    }

    private static void Validate(MixtureComponents mixture, GaussianMixtureModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(options);
        ValidateScheduler(options);
        if (options.SampleShape.Count == 0 || options.SampleShape.Any(d => d <= 0))
            throw new ArgumentException($"SampleShape [{string.Join(", ", options.SampleShape)}] is invalid: give the positive per-sample dimensions, e.g. [C, H, W].");
        if (options.SampleSize != mixture.Dimension)
            throw new ArgumentException($"SampleShape [{string.Join(", ", options.SampleShape)}] holds {options.SampleSize} values but the mixture's means have {mixture.Dimension}: make them agree.");
        if (options.SampleType is not (ElementType.Float32 or ElementType.Float16))
            throw new ArgumentException($"SampleType {options.SampleType.ToName()} is not supported: use float32 or float16.");
        if (options.TimestepType is not (ElementType.Float32 or ElementType.Float16 or ElementType.Int64))
            throw new ArgumentException($"TimestepType {options.TimestepType.ToName()} is not supported: use float32, float16 or int64.");
        if (options.TimestepType == ElementType.Int64 && options.Scheduler.NoiseSchedule != "discrete")
            throw new ArgumentException($"An int64 timestep only fits a discrete schedule (it indexes the training steps): use a float timestep for {options.Scheduler.NoiseSchedule}.");
        if (options.TimestepType == ElementType.Int64 && options.Scheduler.TimestepScale != 1)
            throw new ArgumentException("An int64 timestep indexes the training steps directly: timestep_scale must be 1, or use a float timestep.");
        if (options.BatchSize is <= 0)
            throw new ArgumentException($"BatchSize {options.BatchSize} is invalid: give a positive size, or null for a symbolic batch.");
        string[] names = options.ClassConditional
            ? [options.SampleName, options.TimestepName, options.ClassLabelsName, options.OutputName]
            : [options.SampleName, options.TimestepName, options.OutputName];
        if (names.Any(string.IsNullOrWhiteSpace) || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"Input and output names [{string.Join(", ", names)}] must be non-empty and distinct.");
    }

    // The runtime's checks of the config (one source of truth), then what the graph needs: a
    // timestep input it can turn into a noise level.
    private static void ValidateScheduler(GaussianMixtureModelOptions options)
    {
        var config = options.Scheduler ?? throw new ArgumentException("Scheduler is null: give the model's SchedulerConfig.");
        try
        {
            config.Validate();
        }
        catch (DiffusionException e)
        {
            throw new ArgumentException(e.Message, e);
        }
        var accepted = NoiseLevelGraph.InputsFor(config.NoiseSchedule);
        if (!accepted.Contains(config.TimestepInput))
            throw new ArgumentException($"timestep_input '{config.TimestepInput.Name()}' does not fit a {config.NoiseSchedule} schedule: " +
                $"use {string.Join(" or ", accepted.Select(i => $"'{i.Name()}'"))}.");
    }
}
