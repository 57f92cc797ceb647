using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;

namespace Diffusion.Training.Objectives;

/// <summary>How the noise levels of training draws are distributed.</summary>
public enum NoiseSampling
{
    /// <summary>The objective's own draw: t uniform in [eps, 1] (score SDEs), a uniform index (DDPM) or level (NCSN).</summary>
    Uniform,

    /// <summary>The log noise level <c>s = ln(sigma / alpha)</c> (half the negative log-SNR) uniform over the training range.</summary>
    LogSnr,

    /// <summary><c>s = ln(sigma / alpha)</c> normal N(P_mean, P_std^2), truncated to the training range (Karras et al. 2022, EDM, Table 1).</summary>
    LogNormal,
}

/// <summary>How each sample's squared error is weighted by its noise level.</summary>
public enum LossWeighting
{
    /// <summary>The objective's own weighting: the squared error in the network's parameterisation (unit weight).</summary>
    Own,

    /// <summary>EDM's lambda(s) = (s^2 + sigma_data^2) / (s sigma_data)^2 on the clean-sample error (Karras et al. 2022, eq. 8).</summary>
    Edm,

    /// <summary>Min-SNR-gamma: min(SNR, gamma) on the clean-sample error, SNR = (alpha / sigma)^2 (Hang et al. 2023).</summary>
    MinSnr,
}

/// <summary>
/// Which noise levels training draws and how their errors are weighted. Levels are expressed as the log
/// of the variance-exploding noise level, <c>s = ln(sigma / alpha)</c>, whatever the process; a draw of s
/// becomes the schedule time where <c>sigma / alpha = e^s</c>. Weights are defined on the error of the
/// clean-sample estimate <c>D</c>: a network predicting epsilon already weighs it by SNR, one predicting
/// v by <c>(alpha^2 + sigma^2)^2 / sigma^2</c>, one predicting x0 by 1, an EDM-preconditioned one by
/// EDM's lambda; the loss multiplies each sample's error by the target weight over that implied one.
/// </summary>
public sealed record NoiseLevelRecipe
{
    /// <summary>The recipe of every objective before this option existed: uniform draws, own weighting.</summary>
    public static NoiseLevelRecipe Own { get; } = new();

    /// <summary>How levels are drawn.</summary>
    public NoiseSampling Sampling { get; init; } = NoiseSampling.Uniform;

    /// <summary>Log-normal sampling: the mean of ln(sigma / alpha) (EDM: -1.2).</summary>
    public double PMean { get; init; } = -1.2;

    /// <summary>Log-normal sampling: the standard deviation of ln(sigma / alpha) (EDM: 1.2).</summary>
    public double PStd { get; init; } = 1.2;

    /// <summary>How errors are weighted.</summary>
    public LossWeighting Weighting { get; init; } = LossWeighting.Own;

    /// <summary>Min-SNR weighting: gamma, the SNR above which the weight stops growing (Hang et al. 2023: 5).</summary>
    public double Gamma { get; init; } = 5;

    /// <summary>EDM weighting: the data's standard deviation sigma_data.</summary>
    public double SigmaData { get; init; } = 0.5;

    /// <summary>The names of <see cref="NoiseSampling"/> as options spell them.</summary>
    public static IReadOnlyList<string> SamplingNames { get; } = ["uniform", "log-snr", "lognormal"];

    /// <summary>The names of <see cref="LossWeighting"/> as options spell them.</summary>
    public static IReadOnlyList<string> WeightingNames { get; } = ["own", "edm", "min-snr"];

    /// <summary>Parses uniform, log-snr or lognormal.</summary>
    /// <exception cref="DiffusionException">Another name.</exception>
    public static NoiseSampling ParseSampling(string name) => name switch
    {
        "uniform" => NoiseSampling.Uniform,
        "log-snr" => NoiseSampling.LogSnr,
        "lognormal" => NoiseSampling.LogNormal,
        _ => throw new DiffusionException($"unknown noise sampling '{name}': use one of {string.Join(", ", SamplingNames)}."),
    };

    /// <summary>Parses own, edm or min-snr.</summary>
    /// <exception cref="DiffusionException">Another name.</exception>
    public static LossWeighting ParseWeighting(string name) => name switch
    {
        "own" => LossWeighting.Own,
        "edm" => LossWeighting.Edm,
        "min-snr" => LossWeighting.MinSnr,
        _ => throw new DiffusionException($"unknown loss weighting '{name}': use one of {string.Join(", ", WeightingNames)}."),
    };

    /// <summary>The option spelling of a sampling.</summary>
    public static string Name(NoiseSampling sampling) => SamplingNames[(int)sampling];

    /// <summary>The option spelling of a weighting.</summary>
    public static string Name(LossWeighting weighting) => WeightingNames[(int)weighting];

    /// <summary>True when the recipe is the objective's own (no change to draws or weights).</summary>
    public bool IsOwn => Sampling == NoiseSampling.Uniform && Weighting == LossWeighting.Own;

    /// <summary>Throws a <see cref="DiffusionException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Sampling)) throw new DiffusionException($"unknown noise sampling {(int)Sampling}.");
        if (!Enum.IsDefined(Weighting)) throw new DiffusionException($"unknown loss weighting {(int)Weighting}.");
        if (!double.IsFinite(PMean)) throw new DiffusionException($"the log-normal mean P_mean must be finite, got {Format(PMean)}.");
        if (!(PStd > 0 && double.IsFinite(PStd))) throw new DiffusionException($"the log-normal standard deviation P_std must be positive and finite, got {Format(PStd)}.");
        if (!(Gamma > 0 && double.IsFinite(Gamma))) throw new DiffusionException($"min-SNR's gamma must be positive and finite, got {Format(Gamma)}.");
        if (!(SigmaData > 0 && double.IsFinite(SigmaData))) throw new DiffusionException($"EDM weighting's sigma_data must be positive and finite, got {Format(SigmaData)}.");
    }

    /// <summary>A short description, e.g. "lognormal(-1.2, 1.2), own weighting".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Sampling == NoiseSampling.LogNormal ? $"lognormal({PMean:G4}, {PStd:G4})" : Name(Sampling))} levels, " +
        $"{Weighting switch { LossWeighting.Edm => $"edm weighting (sigma_data {SigmaData:G4})", LossWeighting.MinSnr => $"min-snr weighting (gamma {Gamma:G4})", _ => "own weighting" }}");

    /// <summary>
    /// The density of s = ln(sigma / alpha) that <see cref="Sampling"/> draws on [<paramref name="sMin"/>, <paramref name="sMax"/>];
    /// not defined for <see cref="NoiseSampling.Uniform"/>, whose density depends on the schedule.
    /// </summary>
    public double LogSigmaDensity(double s, double sMin, double sMax)
    {
        if (s < sMin || s > sMax) return 0;
        return Sampling switch
        {
            NoiseSampling.LogSnr => 1 / (sMax - sMin),
            NoiseSampling.LogNormal => NormalMath.Density((s - PMean) / PStd) / PStd
                / (NormalMath.Cdf((sMax - PMean) / PStd) - NormalMath.Cdf((sMin - PMean) / PStd)),
            _ => throw new InvalidOperationException("uniform sampling draws times, not log noise levels; its density depends on the schedule"),
        };
    }

    /// <summary>The s = ln(sigma / alpha) that a uniform draw <paramref name="u"/> in [0, 1) maps to (the inverse of the distribution function).</summary>
    public double LogSigmaAt(double u, double sMin, double sMax) => Sampling switch
    {
        NoiseSampling.LogSnr => sMin + u * (sMax - sMin),
        NoiseSampling.LogNormal => Math.Clamp(PMean + PStd * NormalMath.Quantile(Lerp(
            NormalMath.Cdf((sMin - PMean) / PStd), NormalMath.Cdf((sMax - PMean) / PStd), u)), sMin, sMax),
        _ => throw new InvalidOperationException("uniform sampling draws times, not log noise levels"),
    };

    /// <summary>
    /// The factor a sample's squared error is multiplied by: the target weight of the clean-sample error
    /// over the weight the parameterisation already implies (1 for <see cref="LossWeighting.Own"/>).
    /// </summary>
    /// <param name="prediction">What the loss compares (for an EDM-preconditioned network, its F).</param>
    /// <param name="preconditioning">The network's preconditioning, if any; with output preconditioning the implied weight is EDM's lambda.</param>
    /// <param name="alpha">alpha of the sample's time.</param>
    /// <param name="sigma">sigma of the sample's time.</param>
    public double ErrorFactor(PredictionType prediction, Training.Preconditioning? preconditioning, double alpha, double sigma)
    {
        if (Weighting == LossWeighting.Own) return 1;
        double target = CleanWeight(alpha, sigma);
        double implied = ImpliedCleanWeight(prediction, preconditioning, alpha, sigma);
        return target / implied;
    }

    /// <summary>The target weight of the clean-sample error at (alpha, sigma).</summary>
    public double CleanWeight(double alpha, double sigma)
    {
        double s = sigma / alpha;
        return Weighting switch
        {
            LossWeighting.Edm => (s * s + SigmaData * SigmaData) / (s * s * SigmaData * SigmaData),
            LossWeighting.MinSnr => Math.Min(1 / (s * s), Gamma),
            _ => throw new InvalidOperationException("the own weighting has no clean-sample weight of its own; it is the parameterisation's"),
        };
    }

    /// <summary>
    /// The weight of the clean-sample error that a squared error in <paramref name="prediction"/>'s space amounts to:
    /// with <c>x = alpha x0 + sigma eps</c> and the estimate's error <c>e</c>, epsilon's error is <c>-alpha e / sigma</c> (weight SNR),
    /// the score's times sigma the same, v's <c>-(alpha^2 + sigma^2) e / sigma</c>, the sample's <c>e</c> (1), and EDM's F
    /// <c>alpha e / c_out</c> in the scaled frame (lambda = 1 / c_out^2).
    /// </summary>
    public static double ImpliedCleanWeight(PredictionType prediction, Training.Preconditioning? preconditioning, double alpha, double sigma)
    {
        if (preconditioning is { Output: true })
        {
            double s = sigma / alpha, d = preconditioning.SigmaData;
            return (s * s + d * d) / (s * s * d * d);
        }
        double snr = alpha * alpha / (sigma * sigma);
        return prediction switch
        {
            PredictionType.Epsilon or PredictionType.Score => snr,
            PredictionType.Sample => 1,
            PredictionType.VPrediction => Math.Pow(alpha * alpha + sigma * sigma, 2) / (sigma * sigma),
            _ => throw new ArgumentOutOfRangeException(nameof(prediction)),
        };
    }

    private static double Lerp(double a, double b, double u) => a + u * (b - a);

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The standard normal distribution's density, distribution function and quantile, in double precision.</summary>
public static class NormalMath
{
    /// <summary>phi(x) = exp(-x^2 / 2) / sqrt(2 pi).</summary>
    public static double Density(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

    /// <summary>Phi(x), from the complementary error function (relative error below 1e-14 over the whole line).</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>Phi^-1(p) for p in (0, 1): Acklam's rational approximation refined by one Halley step; -inf and +inf at 0 and 1.</summary>
    public static double Quantile(double p)
    {
        if (p <= 0) return double.NegativeInfinity;
        if (p >= 1) return double.PositiveInfinity;
        const double pLow = 0.02425;
        double x;
        if (p < pLow)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        else if (p <= 1 - pLow)
        {
            double q = p - 0.5, r = q * q;
            x = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
        }
        else
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        double e = Cdf(x) - p;
        double u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(0.5 * x * x);
        return x - u / (1 + 0.5 * x * u);
    }

    /// <summary>erfc(x) = 1 - erf(x), by W. J. Cody's rational Chebyshev approximations (as in many libm's).</summary>
    public static double Erfc(double x)
    {
        double ax = Math.Abs(x);
        double result;
        if (ax < 0.5)
        {
            double t = x * x;
            double top = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
            double bottom = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
            return 1 - x * top / bottom;
        }
        if (ax < 4)
        {
            double top = (((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax
                + 298.635138197400131) * ax + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725;
            double bottom = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax
                + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
            result = Math.Exp(-ax * ax) * top / bottom;
        }
        else
        {
            double z = 1 / (ax * ax);
            double top = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z + 0.125781726111229246) * z + 0.0160837851487422766) * z + 6.58749161529837803e-4;
            double bottom = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z + 0.0605183413124413191) * z + 2.33520497626869185e-3;
            result = Math.Exp(-ax * ax) / ax * (0.564189583547756287 - z * top / bottom);
        }
        return x < 0 ? 2 - result : result;
    }

    private static readonly double[] A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549671743349460e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
}
