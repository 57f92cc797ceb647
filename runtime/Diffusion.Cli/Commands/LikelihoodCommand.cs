using System.CommandLine;
using Diffusion.Runtime;
using Diffusion.Runtime.Evaluation.Likelihood;
using Diffusion.Runtime.IO;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion likelihood</c>: negative log-likelihood of data under a model through the
/// probability-flow ODE. Pictures (more than one pixel per channel) are taken as 8-bit levels in the
/// model's data range and dequantized uniformly, and reported in bits per dimension; other data in nats.
/// </summary>
internal static class LikelihoodCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(withDefault: true);
        var data = new Option<string>("--data") { Description = "data points, a float .npy shaped [N, C, H, W] (or [N, D]) in the model's data range", Required = true };
        var count = new Option<int?>("--count", "-n") { Description = "use the first N points (default all)" };
        var rtol = new Option<double>("--rtol") { Description = "relative tolerance of the adaptive RK45", DefaultValueFactory = _ => 1e-5 };
        var atol = new Option<double>("--atol") { Description = "absolute tolerance of the adaptive RK45", DefaultValueFactory = _ => 1e-5 };
        var probes = new Option<int>("--probes") { Description = "Rademacher probes per divergence estimate (2 model evaluations each)", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the probes and of the dequantization noise", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "points integrated together", DefaultValueFactory = _ => 64 };
        var command = new Command("likelihood", "negative log-likelihood of data through the probability-flow ODE (bits/dim for pictures, nats otherwise)")
        {
            model, data, count, rtol, atol, probes, seed, batch,
        };
        CommonOptions.AddTo(command);
        command.SetAction((result, cancellation) => Task.FromResult(CliAction.Run(result, () =>
        {
            var (stdout, stderr) = (result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            using var loaded = CommonOptions.Load(result, result.GetValue(model)!);
            var array = NpyFile.Read(result.GetValue(data)!);
            var shape = loaded.SampleShape;
            int available = array.Data.Length / shape.Size;
            if (array.Shape.Length < 1 || array.Shape[0] != available || available * shape.Size != array.Data.Length)
                throw new DiffusionException($"--data has shape [{string.Join(", ", array.Shape)}], which is not N points of this model's shape {shape}.");
            int n = Math.Min(result.GetValue(count) ?? available, available);
            if (n < 1) throw new DiffusionException("--count must be at least 1.");
            var points = array.Data.AsSpan(0, n * shape.Size).ToArray();
            bool pictures = shape.Height * shape.Width > 1;
            double low = loaded.Config.DataMin, range = loaded.Config.DataMax - loaded.Config.DataMin;
            if (pictures) Dequantize(points, low, range, result.GetValue(seed));
            stderr.WriteLine($"model {loaded.ModelPath} on {loaded.Device}: {loaded.Schedule.Describe()}; {n} points");
            var options = new LikelihoodOptions
            {
                RelativeTolerance = result.GetValue(rtol), AbsoluteTolerance = result.GetValue(atol), Probes = result.GetValue(probes),
                Seed = result.GetValue(seed), BatchSize = result.GetValue(batch),
            };
            var r = ProbabilityFlowLikelihood.Evaluate(loaded, points, n, options, cancellation);
            int d = shape.Size;
            stdout.WriteLine($"negative log-likelihood: {r.MeanNll:F3} +- {r.StandardError:F3} nats per point ({r.MeanNll / d:F4} per dimension), " +
                $"{r.ModelEvaluations} model evaluations per point");
            if (pictures)
            {
                // y = 256 (x - low) / range in [0, 256): log p(y) = log p(x) + d log(range / 256).
                double offset = -d * Math.Log(range / 256);
                double bits = (r.MeanNll + offset) / (d * Math.Log(2)), error = r.StandardError / (d * Math.Log(2));
                stdout.WriteLine($"bits per dimension: {bits:F4} +- {error:F4} (8-bit data, uniform dequantization)");
            }
            return 0;
        })));
        return command;
    }

    /// <summary>Each value to its 8-bit level k = round(255 (x - low) / range), then to low + range (k + u) / 256, u ~ U[0, 1).</summary>
    private static void Dequantize(float[] values, double low, double range, ulong seed)
    {
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        for (int i = 0; i < values.Length; i++)
        {
            double k = Math.Clamp(Math.Round(255 * (values[i] - low) / range), 0, 255);
            values[i] = (float)(low + range * (k + random.NextDouble()) / 256);
        }
    }
}
