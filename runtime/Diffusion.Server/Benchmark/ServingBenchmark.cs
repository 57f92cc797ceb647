using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Samplers;
using Diffusion.Server.Api;
using Diffusion.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Diffusion.Server.Benchmark;

/// <summary>What <see cref="ServingBenchmark"/> runs.</summary>
public sealed record ServingBenchmarkOptions
{
    /// <summary>The model file served and sampled offline.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Concurrent clients per level.</summary>
    public IReadOnlyList<int> Clients { get; init; } = [1, 4, 16, 64];

    /// <summary>Requests per level, spread over the clients (each client sends at least one).</summary>
    public int RequestsPerLevel { get; init; } = 64;

    /// <summary>The mix of (sampler, steps) the requests cycle through.</summary>
    public IReadOnlyList<(string Sampler, int Steps)> Mix { get; init; } = [("ddim", 20), ("euler", 15), ("heun", 10), ("ddpm", 25)];

    /// <summary>Batch of the offline run (<c>diffusion sample --batch</c>).</summary>
    public int OfflineBatch { get; init; } = 16;

    /// <summary>ONNX Runtime CPU threads (server and offline alike); null lets it choose.</summary>
    public int? Threads { get; init; }
}

/// <summary>One row of the benchmark table.</summary>
/// <param name="Setup">batched server, unbatched server, or offline.</param>
/// <param name="Clients">Concurrent clients (offline: 0).</param>
/// <param name="Images">Samples generated.</param>
/// <param name="ModelCalls">Model calls made.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="P50">Median request latency, seconds (offline: none).</param>
/// <param name="P99">99th percentile request latency, seconds (offline: none).</param>
/// <param name="MeanBatchRows">Mean rows per model call.</param>
public sealed record ServingBenchmarkRow(string Setup, int Clients, int Images, long ModelCalls, double Seconds, double? P50, double? P99, double MeanBatchRows)
{
    /// <summary>Images per second of the offline run measured in the same level, or null.</summary>
    public double? OfflineImagesPerSecond { get; init; }

    /// <summary>Model calls per generated image.</summary>
    public double CallsPerImage => (double)ModelCalls / Images;

    /// <summary>Images per second.</summary>
    public double ImagesPerSecond => Images / Seconds;
}

/// <summary>
/// The serving benchmark, side by side in one run: 1, 4, 16 and 64 concurrent clients on loopback
/// sending requests of mixed samplers and step counts to (1) the server with step-level batching,
/// (2) the same server one request at a time, and (3) an offline run of the same images with
/// <see cref="Generator"/> at a fixed batch, as <c>diffusion sample --batch 16</c> runs.
/// </summary>
public static class ServingBenchmark
{
    /// <summary>
    /// Runs every level and returns the rows; progress lines go to <paramref name="log"/>. Each
    /// level runs the batched server, the unbatched server and the offline run back to back, so a
    /// machine whose load drifts (a shared CI box) weighs on the three alike.
    /// </summary>
    public static async Task<IReadOnlyList<ServingBenchmarkRow>> RunAsync(ServingBenchmarkOptions options, TextWriter log, CancellationToken cancellation = default)
    {
        var rows = new List<ServingBenchmarkRow>();
        var load = new ModelLoadOptions { Device = "cpu", Threads = options.Threads };
        await using var batched = await Start(options, load, batching: true, cancellation);
        await using var unbatched = await Start(options, load, batching: false, cancellation);
        using var offline = OnnxDiffusionModel.Load(options.ModelPath, load);
        Generator.Generate(offline, new GenerationOptions { Sampler = "ddim", Steps = 2, Count = options.OfflineBatch, BatchSize = options.OfflineBatch }); // warm-up
        foreach (int clients in options.Clients)
        {
            int requests = Math.Max(options.RequestsPerLevel, clients);
            var level = new[]
            {
                await Level(batched.Http, options, clients, requests, cancellation) with { Setup = "server, step-level batching" },
                await Level(unbatched.Http, options, clients, requests, cancellation) with { Setup = "server, one request at a time" },
                Offline(options, offline, requests),
            };
            foreach (var row in level)
            {
                rows.Add(row with { OfflineImagesPerSecond = level[2].ImagesPerSecond });
                log.WriteLine($"{row.Setup}, {row.Clients} clients: {row.ImagesPerSecond:F1} images/s, {row.CallsPerImage:F2} calls per image, {row.MeanBatchRows:F1} rows per call");
            }
        }
        return rows;
    }

    private sealed class Running(Microsoft.AspNetCore.Builder.WebApplication app, HttpClient http) : IAsyncDisposable
    {
        public HttpClient Http => http;

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<Running> Start(ServingBenchmarkOptions options, ModelLoadOptions load, bool batching, CancellationToken cancellation)
    {
        var serverOptions = new DiffusionServerOptions
        {
            Batching = batching,
            Limits = new ServerLimits { MaxInFlight = 256, MaxQueue = 1024 },
        };
        serverOptions.Models.Add(ModelRegistration.Onnx("bench", options.ModelPath, load));
        var app = DiffusionServer.Build(serverOptions, ["http://127.0.0.1:0"], logging => logging.ClearProviders());
        await app.StartAsync(cancellation);
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(30) };
        await Level(http, options, 1, 2, cancellation); // warm-up
        return new Running(app, http);
    }

    /// <summary>The rows as a markdown table.</summary>
    public static string Table(IReadOnlyList<ServingBenchmarkRow> rows)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("| setup | clients | images | model calls / image | images/s | vs offline | p50 latency (s) | p99 latency (s) | mean batch occupancy (rows / call) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string p50 = r.P50 is { } a ? a.ToString("F2", CultureInfo.InvariantCulture) : "-";
            string p99 = r.P99 is { } b ? b.ToString("F2", CultureInfo.InvariantCulture) : "-";
            string ratio = r.OfflineImagesPerSecond is { } o and > 0 ? (r.ImagesPerSecond / o).ToString("F2", CultureInfo.InvariantCulture) : "-";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Setup} | {(r.Clients == 0 ? "-" : r.Clients)} | {r.Images} | {r.CallsPerImage:F2} | {r.ImagesPerSecond:F1} | {ratio} | {p50} | {p99} | {r.MeanBatchRows:F1} |");
        }
        return text.ToString();
    }

    private static async Task<ServingBenchmarkRow> Level(HttpClient http, ServingBenchmarkOptions options, int clients, int requests, CancellationToken cancellation)
    {
        var before = await Stats(http, cancellation);
        var latencies = new List<double>();
        int next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(async client =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var (sampler, steps) = options.Mix[i % options.Mix.Count];
                long started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/v1/generate",
                    new GenerateRequest { Sampler = sampler, Steps = steps, Count = 1, Seed = (ulong)i }, cancellation);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync(cancellation);
                lock (latencies) latencies.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        clock.Stop();
        var after = await Stats(http, cancellation);
        long calls = after.ModelCalls - before.ModelCalls, rows = after.RowsEvaluated - before.RowsEvaluated;
        latencies.Sort();
        return new ServingBenchmarkRow("", clients, requests, calls, clock.Elapsed.TotalSeconds,
            Percentile(latencies, 0.5), Percentile(latencies, 0.99), calls == 0 ? 0 : (double)rows / calls);
    }

    // The images the clients asked for, generated as `diffusion sample --batch 16` would: one
    // generation per (sampler, steps) of the mix, batch 16, same seeds (sample i of a generation is seed i's).
    private static ServingBenchmarkRow Offline(ServingBenchmarkOptions options, OnnxDiffusionModel model, int images)
    {
        long calls = 0, rows = 0;
        var clock = Stopwatch.StartNew();
        for (int m = 0; m < options.Mix.Count; m++)
        {
            int count = Enumerable.Range(0, images).Count(i => i % options.Mix.Count == m);
            if (count == 0) continue;
            var (sampler, steps) = options.Mix[m];
            var result = Generator.Generate(model, new GenerationOptions { Sampler = sampler, Steps = steps, Count = count, BatchSize = options.OfflineBatch });
            int batches = (count + options.OfflineBatch - 1) / options.OfflineBatch;
            calls += (long)result.ModelEvaluations * batches;
            rows += (long)result.ModelEvaluations * count;
        }
        clock.Stop();
        return new ServingBenchmarkRow($"offline `diffusion sample --batch {options.OfflineBatch}`", 0, images, calls, clock.Elapsed.TotalSeconds,
            null, null, (double)rows / calls);
    }

    private static async Task<ModelStatsInfo> Stats(HttpClient http, CancellationToken cancellation)
    {
        var stats = await http.GetFromJsonAsync<ServerStats>("/v1/stats", DiffusionEndpoints.Json, cancellation);
        return stats!.Models[0];
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    /// <summary>Checks a mix entry names a known sampler.</summary>
    public static (string Sampler, int Steps) ParseMixEntry(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int steps) || steps < 1)
            throw new ArgumentException($"mix entry '{text}' is not SAMPLER:STEPS (e.g. ddim:20).");
        return (SamplerRegistry.Get(parts[0]).Name, steps);
    }
}
