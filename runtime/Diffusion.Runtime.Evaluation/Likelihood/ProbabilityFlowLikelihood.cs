using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Evaluation.Likelihood;

/// <summary>
/// Exact log-likelihood through the probability-flow ODE (Song et al. 2021, sec. 4.3 and appendix D.2):
/// dx/dt = f(t) x - g(t)^2 score(x, t) / 2 carries the data to the prior, and along it
/// d log p_t(x(t)) / dt = -div f~, so log p_eps(x) = log p_T(x(T)) + int_eps^T div f~(x(t), t) dt.
/// The divergence is estimated by Hutchinson's trace estimator with Rademacher probes
/// (Grathwohl et al. 2019, FFJORD), fixed along each trajectory, and the Jacobian-vector products by
/// central differences of the denoiser (ONNX Runtime has no automatic differentiation).
/// The augmented system is integrated by Dormand-Prince RK45 with adaptive steps.
/// </summary>
/// <remarks>
/// With score = (alpha D - x)/sigma^2: div f~ = f d - g^2 (alpha tr(dD/dx) - d) / (2 sigma^2), d the
/// dimension. The prior is N(0, (alpha_T^2 + sigma_T^2) I), the distribution sampling starts from.
/// A model whose timestep input takes whole numbers sees the ODE's times rounded.
/// </remarks>
public static class ProbabilityFlowLikelihood
{
    // Dormand & Prince 1980, RK5(4)7M.
    private static readonly double[] C = [0, 1 / 5.0, 3 / 10.0, 4 / 5.0, 8 / 9.0, 1, 1];
    private static readonly double[][] A =
    [
        [],
        [1 / 5.0],
        [3 / 40.0, 9 / 40.0],
        [44 / 45.0, -56 / 15.0, 32 / 9.0],
        [19372 / 6561.0, -25360 / 2187.0, 64448 / 6561.0, -212 / 729.0],
        [9017 / 3168.0, -355 / 33.0, 46732 / 5247.0, 49 / 176.0, -5103 / 18656.0],
        [35 / 384.0, 0, 500 / 1113.0, 125 / 192.0, -2187 / 6784.0, 11 / 84.0],
    ];
    private static readonly double[] B5 = [35 / 384.0, 0, 500 / 1113.0, 125 / 192.0, -2187 / 6784.0, 11 / 84.0, 0];
    private static readonly double[] B4 = [5179 / 57600.0, 0, 7571 / 16695.0, 393 / 640.0, -92097 / 339200.0, 187 / 2100.0, 1 / 40.0];

    /// <summary>log p(x) of each of the <paramref name="count"/> data points in <paramref name="data"/>, under <paramref name="model"/>.</summary>
    public static LikelihoodResult Evaluate(IDiffusionModel model, ReadOnlySpan<float> data, int count, LikelihoodOptions? options = null,
        CancellationToken cancellation = default)
    {
        options ??= new LikelihoodOptions();
        options.Validate();
        int d = model.SampleShape.Size;
        if (count < 1 || data.Length != count * d)
            throw new DiffusionRequestException($"the data hold {data.Length} values, but {count} points of shape {model.SampleShape} need {count * d}.", "data");
        var result = new double[count];
        int evaluations = 0;
        for (int first = 0; first < count; first += options.BatchSize)
        {
            int n = Math.Min(options.BatchSize, count - first);
            using var denoiser = model.CreateDenoiser(n, null, cancellation);
            var batch = new Batch(model.Schedule, denoiser, n, d, options, first);
            data.Slice(first * d, n * d).CopyTo(batch.Start);
            evaluations = batch.Solve(result.AsSpan(first, n), cancellation);
        }
        return new LikelihoodResult(result, d, evaluations);
    }

    private sealed class Batch
    {
        private readonly NoiseSchedule _schedule;
        private readonly IDenoiser _denoiser;
        private readonly int _n, _d;
        private readonly LikelihoodOptions _options;
        private readonly float[] _probes, _x, _shifted, _denoised, _plus, _minus;
        private int _evaluations;

        public Batch(NoiseSchedule schedule, IDenoiser denoiser, int n, int d, LikelihoodOptions options, int first)
        {
            (_schedule, _denoiser, _n, _d, _options) = (schedule, denoiser, n, d, options);
            _probes = new float[options.Probes * n * d];
            for (int i = 0; i < n; i++)
            {
                // Rademacher probes from the point's own stream: +-1 by the sign of a standard normal.
                var stream = new GaussianStream(options.Seed, first + i);
                for (int p = 0; p < options.Probes; p++)
                    for (int j = 0; j < d; j++) _probes[(p * n + i) * d + j] = stream.NextGaussian() >= 0 ? 1 : -1;
            }
            _x = new float[n * d];
            _shifted = new float[n * d];
            _denoised = new float[n * d];
            _plus = new float[n * d];
            _minus = new float[n * d];
            Start = new float[n * d];
        }

        public float[] Start { get; }

        /// <summary>Integrates from the smallest time to the largest; writes log p(x) per point; returns evaluations per point.</summary>
        public int Solve(Span<double> logDensity, CancellationToken cancellation)
        {
            int size = _n * _d + _n; // state: x, then the accumulated divergence integral per point
            var y = new double[size];
            for (int i = 0; i < _n * _d; i++) y[i] = Start[i];
            var k = new double[7][];
            for (int s = 0; s < 7; s++) k[s] = new double[size];
            var stage = new double[size];
            var next = new double[size];
            double t = _schedule.MinTime, end = _schedule.MaxTime, h = (end - t) * 1e-3;
            Derivative(t, y, k[0]);
            while (t < end)
            {
                cancellation.ThrowIfCancellationRequested();
                h = Math.Min(h, end - t);
                for (int s = 1; s < 7; s++)
                {
                    for (int i = 0; i < size; i++)
                    {
                        double sum = y[i];
                        for (int j = 0; j < s; j++) sum += h * A[s][j] * k[j][i];
                        stage[i] = sum;
                    }
                    Derivative(t + C[s] * h, stage, k[s]);
                }
                // stage now holds the fifth-order solution (the last stage is evaluated at it: FSAL).
                double error = 0;
                for (int i = 0; i < size; i++)
                {
                    double e = 0;
                    for (int s = 0; s < 7; s++) e += (B5[s] - B4[s]) * k[s][i];
                    double scale = _options.AbsoluteTolerance + _options.RelativeTolerance * Math.Max(Math.Abs(y[i]), Math.Abs(stage[i]));
                    error += Math.Pow(h * e / scale, 2);
                }
                error = Math.Sqrt(error / size);
                if (error <= 1)
                {
                    t += h;
                    Array.Copy(stage, y, size);
                    (k[0], k[6]) = (k[6], k[0]);
                }
                h *= Math.Min(5, Math.Max(0.2, 0.9 * Math.Pow(Math.Max(error, 1e-10), -0.2)));
                if (!(h > 1e-12 * (end - _schedule.MinTime)))
                    throw new DiffusionModelException($"the probability-flow ODE's step fell below 1e-12 of its range at time {t:G6}: the model or its schedule is not smooth enough to integrate.");
            }
            var top = _schedule.At(end);
            double prior = top.Alpha * top.Alpha + top.Sigma * top.Sigma;
            for (int i = 0; i < _n; i++)
            {
                double sq = 0;
                for (int j = 0; j < _d; j++) sq += y[i * _d + j] * y[i * _d + j];
                double logPrior = -0.5 * _d * Math.Log(2 * Math.PI * prior) - sq / (2 * prior);
                logDensity[i] = logPrior + y[_n * _d + i];
            }
            return _evaluations;
        }

        /// <summary>dy/dt of the augmented state: f~(x, t), then div f~ per point (Hutchinson, central differences).</summary>
        private void Derivative(double t, double[] y, double[] dy)
        {
            var point = _schedule.At(t);
            var (f, g2) = _schedule.SdeCoefficients(t);
            for (int i = 0; i < _n * _d; i++) _x[i] = (float)y[i];
            Denoise(_x, point, _denoised);
            double inv = 1 / (point.Sigma * point.Sigma);
            for (int i = 0; i < _n * _d; i++)
                dy[i] = f * y[i] - 0.5 * g2 * (point.Alpha * _denoised[i] - y[i]) * inv;
            double delta = _options.RelativeDifferenceStep * point.Sigma;
            var traces = new double[_n];
            for (int p = 0; p < _options.Probes; p++)
            {
                var z = _probes.AsSpan(p * _n * _d, _n * _d);
                for (int i = 0; i < _n * _d; i++) _shifted[i] = (float)(y[i] + delta * z[i]);
                Denoise(_shifted, point, _plus);
                for (int i = 0; i < _n * _d; i++) _shifted[i] = (float)(y[i] - delta * z[i]);
                Denoise(_shifted, point, _minus);
                for (int b = 0; b < _n; b++)
                {
                    double sum = 0;
                    for (int j = 0; j < _d; j++)
                    {
                        int i = b * _d + j;
                        sum += z[i] * ((double)_plus[i] - _minus[i]) / (2 * delta);
                    }
                    traces[b] += sum / _options.Probes;
                }
            }
            for (int b = 0; b < _n; b++)
                dy[_n * _d + b] = f * _d - 0.5 * g2 * (point.Alpha * traces[b] - _d) * inv;
        }

        private void Denoise(float[] x, TimePoint point, float[] destination)
        {
            _denoiser.Denoise(x, point, destination);
            _evaluations++;
        }
    }
}
