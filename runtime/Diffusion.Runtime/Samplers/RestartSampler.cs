using Diffusion.Runtime.Sampling;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Samplers;

/// <summary>
/// Restart sampling (Xu et al. 2023, "Restart Sampling for Improving Generative Processes", Alg. 1):
/// the probability-flow ODE is solved along the path, but on reaching the path point nearest
/// t_min (<see cref="SamplerSettings.RestartMin"/>) the sample is noised forward up to t_max
/// (<see cref="SamplerSettings.RestartMax"/>) with fresh noise and the ODE is solved down that interval
/// again, K times (<see cref="SamplerSettings.Restarts"/>), before the path goes on to the clean point.
/// </summary>
/// <remarks>
/// The forward jump contracts the error the ODE has accumulated, as an SDE's noise does, while every
/// step stays a deterministic ODE step with its small discretisation error (their Theorem 2). Each ODE
/// stretch is DPM-Solver++ multistep (<see cref="DpmSolverStep"/>, <see cref="SamplerSettings.Order"/>,
/// 2 by default) started afresh; the restart interval is spaced as Karras et al. 2022, eq. 5 space a path
/// (rho = 7), with <see cref="SamplerSettings.RestartSteps"/> steps (by default two thirds of the path's).
/// NFE = steps + K * restart steps (fewer only where a narrow interval on an integer time grid has fewer
/// distinct times than steps).
/// </remarks>
public sealed class RestartSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "restart";

    /// <inheritdoc />
    public string Summary => "Restart sampling (Xu et al. 2023): DPM-Solver++ down the path, re-noised K times over [t_min, t_max] and solved again";

    /// <inheritdoc />
    public IReadOnlyList<string> Options => ["order", "restart-min", "restart-max", "restarts", "restart-steps"];

    /// <inheritdoc />
    public int ModelEvaluations(int steps, SamplerSettings settings) =>
        steps + (steps >= 2 ? settings.Restarts * RestartSteps(steps, settings) : 0);

    /// <summary>The steps of one pass down the restart interval: <see cref="SamplerSettings.RestartSteps"/>, else two thirds of <paramref name="steps"/>.</summary>
    private static int RestartSteps(int steps, SamplerSettings settings) =>
        settings.RestartSteps ?? Math.Max(1, (int)Math.Round(2.0 * steps / 3, MidpointRounding.AwayFromZero));

    /// <inheritdoc />
    public void Run(SamplerRun run)
    {
        var settings = run.Settings;
        int order = settings.Order ?? 2;
        var path = run.Path;
        int restartAt = settings.Restarts > 0 && run.Steps >= 2 ? RestartIndex(path, settings) : run.Steps;
        List<TimePoint> interval = restartAt < run.Steps ? Interval(run, path[restartAt], settings.RestartMax, RestartSteps(run.Steps, settings)) : [];
        if (interval.Count < 2) restartAt = run.Steps; // nothing to restart: one stretch down the whole path
        var solver = new OdeStretch(run, order);
        float[] noise = run.Scratch(3); // taken before the loop: the steps allocate nothing
        solver.Solve(path, 0, restartAt, reportSteps: true);
        if (restartAt < run.Steps)
        {
            var (top, bottom) = (interval[0], path[restartAt]);
            for (int k = 0; k < settings.Restarts; k++)
            {
                // Forward noising from t_min to t_max: x_max = (alpha_max/alpha_min) x_min + sqrt(transition variance) z.
                run.DrawNoise(noise);
                SamplerSteps.Combine(run.Sample, top.Alpha / bottom.Alpha, noise, Math.Sqrt(SamplerSteps.TransitionVariance(top, bottom)), run.Sample);
                solver.Solve(interval, 0, interval.Count - 1, reportSteps: false);
            }
        }
        solver.Solve(path, restartAt, run.Steps, reportSteps: true);
    }

    /// <summary>
    /// The index of the noisy path point (neither the first nor the clean one) nearest t_min in log scaled sigma,
    /// among those below t_max.
    /// </summary>
    private static int RestartIndex(IReadOnlyList<TimePoint> path, SamplerSettings settings)
    {
        int best = -1;
        for (int i = 1; i < path.Count - 1; i++)
        {
            if (path[i].ScaledSigma >= settings.RestartMax) continue;
            if (best < 0 || Math.Abs(Math.Log(path[i].ScaledSigma / settings.RestartMin)) < Math.Abs(Math.Log(path[best].ScaledSigma / settings.RestartMin)))
                best = i;
        }
        return best >= 0 ? best : throw new DiffusionRequestException(
            $"no point of the sampling path lies below the restart's top level {settings.RestartMax} (sigma/alpha): raise SamplerSettings.RestartMax or the step count.",
            "SamplerSettings.RestartMax");
    }

    /// <summary>The restart interval's points from t_max down to <paramref name="bottom"/>, evenly spaced in (sigma/alpha)^(1/rho).</summary>
    private static List<TimePoint> Interval(SamplerRun run, TimePoint bottom, double topLevel, int steps)
    {
        double top = Math.Min(topLevel, run.Schedule.MaxScaledSigma);
        var points = new List<TimePoint>(steps + 1);
        for (int k = 0; k < steps; k++)
        {
            var point = run.PointAt(SamplingPath.KarrasLevel(top, bottom.ScaledSigma, (double)k / steps));
            // On an integer grid two levels can round to one time; a repeated point would be a step of length 0.
            if (point.ScaledSigma > bottom.ScaledSigma && (points.Count == 0 || point.Time != points[^1].Time)) points.Add(point);
        }
        points.Add(bottom);
        return points;
    }

    /// <summary>DPM-Solver++ multistep over stretches of points, each started without history.</summary>
    private sealed class OdeStretch(SamplerRun run, int order)
    {
        private float[] _d0 = run.Scratch(0), _d1 = run.Scratch(1), _d2 = run.Scratch(2);

        /// <summary>Solves from <paramref name="points"/>[from] to [to]; reports path steps when <paramref name="reportSteps"/>.</summary>
        public void Solve(IReadOnlyList<TimePoint> points, int from, int to, bool reportSteps)
        {
            for (int i = from; i < to; i++)
            {
                (_d0, _d1, _d2) = (_d2, _d0, _d1);
                run.Denoise(run.Sample, points[i], _d0);
                int p = SamplerSteps.MultistepOrder(order, i - from, to - from, points[i + 1], lowerFinalSteps: false);
                DpmSolverStep.Advance(points, i, p, heun: false, eta: 0, run.Sample, _d0, _d1, _d2);
                if (reportSteps) run.CompleteStep(i);
            }
        }
    }
}
