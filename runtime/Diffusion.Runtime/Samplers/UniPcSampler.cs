namespace Diffusion.Runtime.Samplers;

/// <summary>
/// UniPC multistep (Zhao et al. 2023, "UniPC"): the predictor UniP of order p and, after each step
/// but the last, the corrector UniC, which reuses the model evaluation at the new point to raise the
/// accuracy by one order at no extra cost (their Thm. 3.1-3.2). Both in the data-prediction form
/// (their Alg. 2 "UniPC with x0"), with B(h) = h (bh1) or e^h - 1 (bh2):
/// x_t = (sigma_t/sigma_s) x_s + alpha_t (1 - e^-h) D_s - alpha_t B(h) sum_k rho_k D1_k, D1_k = (D_k - D_s)/r_k,
/// where the rho solve R rho = b with R_ij = r_j^i and b_i = i! phi_{i+1}(h) / B(h) (their eq. 7-8).
/// </summary>
public sealed class UniPcSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "unipc";

    /// <inheritdoc />
    public string Summary => "UniPC multistep (Zhao et al. 2023): predictor orders 1-3 with the UniC corrector, 1 evaluation per step";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["order", "solver-type", "lower-order-final", "no-corrector"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) => steps;

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        var settings = run.Settings;
        int order = settings.Order ?? 2;
        bool bh1 = settings.SolverType == SolverType.Bh1;
        bool lowerFinal = settings.LowerOrderFinal ?? true;
        // m[0] is D at the current point, m[k] at the point k steps back; before: x at the previous point.
        float[] x = run.Sample, before = run.Scratch(0);
        float[] m0 = run.Scratch(1), m1 = run.Scratch(2), m2 = run.Scratch(3), m3 = run.Scratch(4);
        int previousOrder = 0;
        for (int i = 0; i < run.Steps; i++)
        {
            (m0, m1, m2, m3) = (m3, m0, m1, m2);
            var (s, t) = (run.Path[i], run.Path[i + 1]);
            run.Denoise(x, s, m0);
            if (settings.UseCorrector && i > 0)
            {
                // UniC of the previous step's order: redo the step from the previous point with D at s known.
                Update(x, before, run.Path[i - 1], s, run.Path, i - 1, previousOrder, corrector: true, bh1, m1, m2, m3, m0);
            }
            int p = SamplerSteps.MultistepOrder(order, i, run.Steps, t, lowerFinal);
            if (i < run.Steps - 1) x.CopyTo(before, 0);
            if (t.Sigma == 0) SamplerSteps.TowardsDenoised(x, m0, s, t, 0, x);
            else Update(x, x, s, t, run.Path, i, p, corrector: false, bh1, m0, m1, m2, null);
            previousOrder = p;
            run.CompleteStep(i);
        }
    }

    /// <summary>
    /// One UniP (corrector false) or UniC (true) update from point <paramref name="s"/> (path index
    /// <paramref name="index"/>) to <paramref name="t"/>: x = start moved with D at s in <paramref name="d0"/>,
    /// at the points before s in <paramref name="d1"/> and <paramref name="d2"/>, and, for UniC, at t in <paramref name="atT"/>.
    /// </summary>
    private static void Update(float[] destination, float[] start, Schedules.TimePoint s, Schedules.TimePoint t,
        IReadOnlyList<Schedules.TimePoint> path, int index, int order, bool corrector, bool bh1,
        float[] d0, float[] d1, float[] d2, float[]? atT)
    {
        double lambdaS = SamplerSteps.Lambda(s), h = SamplerSteps.Lambda(t) - lambdaS, hh = -h;
        double phi1 = double.ExpM1(hh), bh = bh1 ? hh : double.ExpM1(hh);
        // r_k for the earlier points, then r = 1 for t itself.
        Span<double> r = stackalloc double[3];
        int known = order - 1;
        for (int k = 0; k < known; k++) r[k] = (SamplerSteps.Lambda(path[index - 1 - k]) - lambdaS) / h;
        r[known] = 1;
        // b_i = i! phi_{i+1}(-h) / B(h), with phi_{k+1} = phi_k / hh - 1/k! from phi_1 = e^hh - 1 (diffusers' recursion).
        Span<double> b = stackalloc double[3];
        double phiK = phi1 / hh - 1, factorial = 1;
        for (int k = 0; k < order; k++)
        {
            b[k] = phiK * factorial / bh;
            factorial *= k + 2;
            phiK = phiK / hh - 1 / factorial;
        }
        // The rho: UniC solves the full system in all `order` unknowns; UniP the one without t's column.
        Span<double> rho = stackalloc double[3];
        int unknowns = corrector ? order : order - 1;
        if (unknowns == 1 && order <= 2) rho[0] = 0.5; // diffusers' choice for the one-unknown systems
        else if (unknowns > 0) Solve(r[..unknowns], b[..unknowns], rho[..unknowns]);
        double aS = t.Sigma / s.Sigma, coefficient = -t.Alpha * bh;
        // x_t = aS x_s - alpha_t phi1 D_s - alpha_t B(h) (sum_k rho_k (D_k - D_s)/r_k [+ rho_last (D_t - D_s)])
        double onD0 = -t.Alpha * phi1;
        double onD1 = 0, onD2 = 0, onAtT = 0;
        if (known >= 1 && unknowns >= 1) { onD1 = coefficient * rho[0] / r[0]; onD0 -= onD1; }
        if (known >= 2 && unknowns >= 2) { onD2 = coefficient * rho[1] / r[1]; onD0 -= onD2; }
        if (corrector) { onAtT = coefficient * rho[order - 1]; onD0 -= onAtT; }
        SamplerSteps.Combine(start, aS, d0, onD0, destination);
        if (onD1 != 0) SamplerSteps.AddScaled(destination, d1, onD1);
        if (onD2 != 0) SamplerSteps.AddScaled(destination, d2, onD2);
        if (onAtT != 0) SamplerSteps.AddScaled(destination, atT!, onAtT);
    }

    /// <summary>Solves R rho = b with R_ij = r_j^i (a Vandermonde system of size 1-3), by Gaussian elimination.</summary>
    private static void Solve(ReadOnlySpan<double> r, ReadOnlySpan<double> b, Span<double> rho)
    {
        int n = r.Length;
        Span<double> a = stackalloc double[9];
        Span<double> y = stackalloc double[3];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) a[i * 3 + j] = Math.Pow(r[j], i);
            y[i] = b[i];
        }
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int i = c + 1; i < n; i++) if (Math.Abs(a[i * 3 + c]) > Math.Abs(a[pivot * 3 + c])) pivot = i;
            if (pivot != c)
            {
                for (int j = 0; j < n; j++) (a[c * 3 + j], a[pivot * 3 + j]) = (a[pivot * 3 + j], a[c * 3 + j]);
                (y[c], y[pivot]) = (y[pivot], y[c]);
            }
            for (int i = c + 1; i < n; i++)
            {
                double f = a[i * 3 + c] / a[c * 3 + c];
                for (int j = c; j < n; j++) a[i * 3 + j] -= f * a[c * 3 + j];
                y[i] -= f * y[c];
            }
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int j = i + 1; j < n; j++) sum -= a[i * 3 + j] * rho[j];
            rho[i] = sum / a[i * 3 + i];
        }
    }
}
