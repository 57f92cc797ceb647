using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Server.Api;
using Diffusion.Server.Hosting;
using Diffusion.Server.Tests.Support;
using Diffusion.Testing;

namespace Diffusion.Server.Tests.Hosting;

/// <summary>The server on Kestrel at a loopback port, as <c>diffusion serve</c> runs it.</summary>
public class LoopbackTests
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task ConcurrentRequestsOnTheShippedOnnxModelEqualSoloRunsOfTheLibraryWithTheSameSeeds()
    {
        string path = Path.Combine(RepositoryPaths.Models, "ring-demo.onnx");
        var options = new DiffusionServerOptions();
        options.Models.Add(ModelRegistration.Onnx("ring", path, new ModelLoadOptions { Device = "cpu", Threads = 1 }));
        var (app, address) = await ServerFixtures.StartKestrel(options);
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = address };
        (string Sampler, int Steps, int Count, ulong Seed)[] requests =
            [("ddim", 40, 5, 1), ("euler", 25, 3, 2), ("heun", 20, 4, 3), ("ddpm", 50, 2, 4), ("pc", 15, 3, 5), ("ddim", 33, 1, 6)];

        var answers = await Task.WhenAll(requests.Select(r => http.PostAsync("/v1/generate",
            Json($$"""{ "sampler": "{{r.Sampler}}", "steps": {{r.Steps}}, "count": {{r.Count}}, "seed": {{r.Seed}}, "format": "json" }"""))));

        using var model = OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Threads = 1 });
        for (int i = 0; i < requests.Length; i++)
        {
            var r = requests[i];
            var result = await answers[i].Content.ReadFromJsonAsync<GenerateResult>(DiffusionEndpoints.Json);
            var solo = Generator.Generate(model, new GenerationOptions { Sampler = r.Sampler, Steps = r.Steps, Count = r.Count, Seed = r.Seed });
            var served = result!.Points!.SelectMany(p => p).ToArray();
            Assert.Equal(solo.Data.Length, served.Length);
            float worst = solo.Data.Zip(served, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 1e-5f, $"{r.Sampler} {r.Steps} steps: max abs difference {worst} from `diffusion sample`'s run");
        }
        var stats = (await http.GetFromJsonAsync<ServerStats>("/v1/stats", DiffusionEndpoints.Json))!.Models[0];
        int evaluations = requests.Sum(r => r.Sampler == "heun" ? 2 * r.Steps - 1 : r.Sampler == "pc" ? 2 * r.Steps : r.Steps);
        Assert.True(stats.ModelCalls < evaluations, $"{stats.ModelCalls} model calls for {evaluations} request evaluations: nothing was shared");
    }

    [Fact]
    public async Task StatsAndTheMetricsInstrumentsPublishTheSameFigures()
    {
        var model = new FakeModel(delay: TimeSpan.FromMilliseconds(1));
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == ServerMetrics.MeterName) l.EnableMeasurementEvents(instrument); };
        // Other tests' servers publish on meters of the same name: count this model's measurements only.
        const string name = "metrics-test";
        static bool Ours(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
                if (tag.Key == "model" && (string?)tag.Value == name) return true;
            return false;
        }
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (Ours(tags)) lock (totals) totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
        });
        int queueGauge = -1;
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "diffusion.server.queue.length" && Ours(tags)) queueGauge = value;
        });
        listener.Start();
        var (app, address) = await ServerFixtures.StartKestrel(ServerFixtures.Options([(name, model)]));
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = address };

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => http.PostAsync("/v1/generate", Json($$"""{ "steps": {{10 + i}}, "count": {{1 + i % 3}} }"""))));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        listener.RecordObservableInstruments();
        var stats = (await http.GetFromJsonAsync<ServerStats>("/v1/stats", DiffusionEndpoints.Json))!.Models[0];

        Assert.Equal(6, stats.Requests);
        Assert.Equal(12, stats.Images);
        Assert.Equal(model.CallCount, stats.ModelCalls);
        Assert.Equal(model.Calls.Sum(c => c.Rows), stats.RowsEvaluated);
        Assert.Equal(Math.Round((double)stats.RowsEvaluated / stats.ModelCalls, 3), stats.MeanBatchOccupancy);
        lock (totals)
        {
            Assert.Equal(stats.Requests, totals["diffusion.server.requests"]);
            Assert.Equal(stats.Images, totals["diffusion.server.images"]);
            Assert.Equal(stats.ModelCalls, totals["diffusion.server.model_calls"]);
            Assert.Equal(stats.RowsEvaluated, totals["diffusion.server.rows"]);
        }
        Assert.Equal(stats.QueueLength, queueGauge);
    }

    [Fact]
    public async Task UnderABoundedLoadLoopTheServerAnswersOnly200Or429StaysUpAndItsMemoryStaysBounded()
    {
        var model = new FakeModel(channels: 1, size: 16, delay: TimeSpan.FromMilliseconds(2));
        var limits = new ServerLimits { MaxInFlight = 8, MaxQueue = 8 };
        var (app, address) = await ServerFixtures.StartKestrel(ServerFixtures.Options([("fake", model)], limits));
        await using var _ = app;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address };
        await http.PostAsync("/v1/generate", Json("""{ "steps": 2 }""")); // warm up
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        // 32 clients, each sending 12 requests one after the other: a fixed amount of work, not a time window, so a
        // slow or shared machine changes how long it takes, not what is asserted.
        var statuses = new Dictionary<HttpStatusCode, int>();
        var clients = Enumerable.Range(0, 32).Select(async c =>
        {
            for (int i = 0; i < 12;)
            {
                string body = (i++ % 4) switch
                {
                    0 => """{ "steps": 8, "count": 4 }""",
                    1 => """{ "steps": 5, "sampler": "heun", "format": "json" }""",
                    2 => """{ "steps": 0 }""",
                    _ => """{ "steps": 6, "format": "npy" }""",
                };
                using var response = await http.PostAsync("/v1/generate", Json(body));
                await response.Content.ReadAsByteArrayAsync();
                lock (statuses) statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            }
        });
        await Task.WhenAll(clients);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses.Keys.Order());
        // The first wave alone (32 requests at once into 8 in flight and 8 queued) admits 16.
        Assert.True(statuses[HttpStatusCode.OK] >= 16, $"only {statuses[HttpStatusCode.OK]} requests succeeded");
        Assert.True(after - before < 32 << 20, $"managed memory grew by {(after - before) >> 20} MiB under load");
        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        var stats = (await http.GetFromJsonAsync<ServerStats>("/v1/stats", DiffusionEndpoints.Json))!.Models[0];
        Assert.Equal(0, stats.InFlight);
        Assert.Equal(0, stats.QueueLength);
        Assert.Equal(0, stats.PendingRows);
        Assert.Equal(statuses[HttpStatusCode.TooManyRequests], stats.Rejected);
        Assert.True(stats.MeanBatchOccupancy > 2, $"mean batch occupancy {stats.MeanBatchOccupancy} under load");
    }

    [Fact]
    public async Task AClientThatGoesAwayMidStreamReleasesItsRowsAtOnce()
    {
        var model = new FakeModel(delay: TimeSpan.FromMilliseconds(20));
        var (app, address) = await ServerFixtures.StartKestrel(ServerFixtures.Options([("fake", model)]));
        await using var _ = app;
        // No draining of the unread body for connection reuse: the client really goes away.
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = address };
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/generate/stream") { Content = Json("""{ "steps": 1000, "count": 4 }""") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        Assert.True(await stream.ReadAsync(new byte[256], cancel.Token) > 0); // the first step event

        cancel.Cancel();
        response.Dispose();
        var catalog = (ModelCatalog)app.Services.GetService(typeof(ModelCatalog))!;
        var clock = Stopwatch.StartNew();
        SpinWait.SpinUntil(() => catalog.Models[0].Admission.InFlight == 0, TimeSpan.FromSeconds(20));

        // Its 1,000 steps would take at least 20 s; a generous bound keeps a loaded machine from failing this.
        Assert.True(clock.ElapsedMilliseconds < 5000, $"the request was still in flight {clock.ElapsedMilliseconds} ms after the client left");
        Assert.Equal(0, catalog.Models[0].Batcher.Active);
        int calls = model.CallCount;
        Assert.True(calls < 500, $"{calls} calls: the request ran on after its client left");
        await Task.Delay(100);
        Assert.Equal(calls, model.CallCount);
        Assert.Equal(1, catalog.Models[0].Stats.Cancelled);
    }

    [Fact]
    public async Task StoppingTheHostDrainsTheRequestsInFlightAndRefusesNewOnes()
    {
        var model = new FakeModel(delay: TimeSpan.FromMilliseconds(5));
        var (app, address) = await ServerFixtures.StartKestrel(ServerFixtures.Options([("fake", model)]));
        using var http = new HttpClient { BaseAddress = address };
        var running = http.PostAsync("/v1/generate", Json("""{ "sampler": "ddim", "steps": 60, "count": 2, "format": "json" }"""));
        SpinWait.SpinUntil(() => model.CallCount >= 3, TimeSpan.FromSeconds(5));

        var stopping = app.StopAsync();
        var catalog = (ModelCatalog)app.Services.GetService(typeof(ModelCatalog))!;
        SpinWait.SpinUntil(() => catalog.Stopping, TimeSpan.FromSeconds(5));
        Assert.False(catalog.Ready);
        using var answer = await running;
        await stopping;
        await app.DisposeAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var result = await answer.Content.ReadFromJsonAsync<GenerateResult>(DiffusionEndpoints.Json);
        Assert.Equal(2, result!.Images!.Count);
        Assert.Equal(60, model.CallCount); // every step of the request in flight ran
    }
}
