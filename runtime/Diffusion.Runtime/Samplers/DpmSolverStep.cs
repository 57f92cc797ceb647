using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Samplers;

/// <summary>
/// The deterministic part of one DPM-Solver++ multistep step, orders 1-3, for a reverse process whose
/// diffusion is scaled by a noise share eta in [0, 1]: eta = 0 is the probability-flow ODE
/// (<see cref="DpmSolverSampler"/>), eta = 1 the reverse SDE (<see cref="DpmSolverSdeSampler"/>, which
/// then adds sigma_t sqrt(1 - e^(-2 eta h)) z).
/// </summary>
/// <remarks>
/// In lambda = log(alpha/sigma) and h = lambda_t - lambda_s, the exact solution of that process with the
/// data prediction D(lambda) is (Lu et al. 2022b, eq. 9 for eta = 0 and its appendix for eta = 1)
/// x_t = (sigma_t/sigma_s) e^(-eta h) x_s + alpha_t int_0^h k e^(-k (h - u)) D(lambda_s + u) du + noise,
/// k = 1 + eta. With z = k h, the integral of the Taylor terms of D gives
/// D_s (1 - e^-z) + h D' phi_2(z) - h^2 D'' phi_3(z), phi_2(z) = (e^-z - 1)/z + 1 and
/// phi_3(z) = (e^-z - 1 + z)/z^2 - 1/2; D' and D'' come from differences of earlier outputs.
/// </remarks>
internal static class DpmSolverStep
{
    /// <summary>
    /// Moves <paramref name="x"/> from point <paramref name="index"/> of <paramref name="path"/> to the next with an update of
    /// <paramref name="order"/>, from the model outputs of this step (<paramref name="d0"/>) and the two
    /// before it (<paramref name="d1"/>, <paramref name="d2"/>; read only at orders 2 and 3).
    /// <paramref name="heun"/> weighs the first difference by alpha_t phi_2 at second order, else by half the
    /// weight of D_s (the midpoint form of Alg. 2).
    /// </summary>
    public static void Advance(IReadOnlyList<TimePoint> path, int index, int order, bool heun, double eta,
        float[] x, float[] d0, float[] d1, float[] d2)
    {
        var (s, t) = (path[index], path[index + 1]);
        if (t.Sigma == 0)
        {
            SamplerSteps.TowardsDenoised(x, d0, s, t, 0, x); // higher differences divide by h = infinity
            return;
        }
        double h = SamplerSteps.Lambda(t) - SamplerSteps.Lambda(s), z = (1 + eta) * h, emz = double.ExpM1(-z);
        double a = t.Sigma / s.Sigma * Math.Exp(-eta * h), b = -t.Alpha * emz;
        if (order == 1)
        {
            SamplerSteps.Combine(x, a, d0, b, x);
            return;
        }
        double phi2 = t.Alpha * (emz / z + 1);
        double r0 = (SamplerSteps.Lambda(s) - SamplerSteps.Lambda(path[index - 1])) / h;
        if (order == 2)
        {
            // D = d0 + c1/b (d0 - d1)/r0 (Alg. 2, line 6)
            double c1 = heun ? phi2 : 0.5 * b;
            SamplerSteps.Combine(x, a, d0, b + c1 / r0, x);
            SamplerSteps.AddScaled(x, d1, -c1 / r0);
            return;
        }
        // Third order: D1 = D1_0 + r0/(r0+r1) (D1_0 - D1_1), D2 = (D1_0 - D1_1)/(r0+r1) with
        // D1_0 = (d0 - d1)/r0, D1_1 = (d1 - d2)/r1, so D1 = h D' and D2 = h^2 D''/2 to third order in h,
        // and D2 enters with weight -2 alpha_t phi_3. diffusers' and k-diffusion's 3M (ODE and SDE) weigh D2
        // by -alpha_t phi_3, half that: their "3M" measures order about 2.3 on the exact mixtures, this one 3
        // (ConvergenceOrderTests), and at eta = 0 it equals UniP-3 with B(h) = e^h - 1 to rounding.
        double r1 = (SamplerSteps.Lambda(path[index - 1]) - SamplerSteps.Lambda(path[index - 2])) / h;
        double c2 = -2 * t.Alpha * ((emz + z) / (z * z) - 0.5);
        double u = (phi2 * r0 + c2) / (r0 + r1); // weight of D1_0 - D1_1
        SamplerSteps.Combine(x, a, d0, b + (phi2 + u) / r0, x);
        SamplerSteps.AddScaled(x, d1, -(phi2 / r0) - u * (1 / r0 + 1 / r1));
        SamplerSteps.AddScaled(x, d2, u / r1);
    }
}
