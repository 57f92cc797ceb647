using Diffusion.Runtime.Samplers;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.IO;
using Diffusion.Server.Api;
using Diffusion.Server.Hosting;
using Diffusion.Server.Tests.Support;

namespace Diffusion.Server.Tests.Api;

public class EndpointTests
{
    private static readonly FakeModel Images = new(channels: 1, size: 8);
    private static readonly FakeModel Conditional = new(channels: 1, size: 8, classes: 10);

    private static DiffusionFactory Factory(ServerLimits? limits = null) =>
        new(ServerFixtures.Options([("digits", Images), ("cond", Conditional)], limits));

    private static Task<HttpResponseMessage> Post(HttpClient client, string json, string path = "/v1/generate") =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>The array of an npy response.</summary>
    private static async Task<NpyArray> NpyOf(HttpResponseMessage response)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
            return NpyFile.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task GenerateReturnsAPngGridByDefaultWithTheSettingsInItsTextChunks()
    {
        using var factory = Factory();
        using var client = factory.CreateClient();

        using var response = await Post(client, """{ "steps": 5, "count": 4, "seed": 11 }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        string latin1 = Encoding.Latin1.GetString(png);
        Assert.Contains("Seed\u000011", latin1);
        Assert.Contains("Model\u0000digits", latin1);
    }

    [Fact]
    public async Task NpyAndJsonFormatsCarryTheSamplesTheGeneratorMakesForTheSameSeed()
    {
        using var factory = Factory();
        using var client = factory.CreateClient();
        var expected = Generator.Generate(Images, new GenerationOptions { Sampler = "heun", Steps = 6, Count = 3, Seed = 5 });

        using var npy = await Post(client, """{ "sampler": "heun", "steps": 6, "count": 3, "seed": 5, "format": "npy" }""");
        using var json = await Post(client, """{ "sampler": "heun", "steps": 6, "count": 3, "seed": 5, "format": "json" }""");

        var array = await NpyOf(npy);
        Assert.Equal([3, 1, 8, 8], array.Shape);
        Assert.Equal(expected.Data, array.Data);
        var result = await json.Content.ReadFromJsonAsync<GenerateResult>(DiffusionEndpoints.Json);
        Assert.NotNull(result);
        Assert.Equal(3, result.Images!.Count);
        Assert.All(result.Images, image => Assert.Equal("iVBORw0KGgo", image[..11])); // base64 of the PNG signature
        Assert.Equal(expected.ModelEvaluations, result.ModelEvaluations);
        Assert.Equal([3, 1, 8, 8], result.Shape);
    }

    [Fact]
    public async Task OrderSpacingAndNoiseReachTheGeneratorAsTheLibraryTakesThem()
    {
        using var factory = Factory();
        using var client = factory.CreateClient();
        var options = new GenerationOptions
        {
            Sampler = "dpmpp", Steps = 6, Count = 3, Seed = 5, Spacing = Runtime.Sampling.TimestepSpacing.Karras,
            Noise = Runtime.Noise.NoiseKind.Torch, Settings = new SamplerSettings { Order = 3 },
        };
        var expected = Generator.Generate(Images, options);
        // Each setting changes the samples, so the equality below tests that each one arrived.
        Assert.NotEqual(expected.Data, Generator.Generate(Images, options with { Settings = new SamplerSettings { Order = 1 } }).Data);
        Assert.NotEqual(expected.Data, Generator.Generate(Images, options with { Spacing = null }).Data);
        Assert.NotEqual(expected.Data, Generator.Generate(Images, options with { Noise = Runtime.Noise.NoiseKind.PerSample }).Data);

        using var npy = await Post(client, """{ "sampler": "dpmpp", "steps": 6, "count": 3, "seed": 5, "order": 3, "spacing": "karras", "noise": "torch", "format": "npy" }""");

        Assert.Equal(HttpStatusCode.OK, npy.StatusCode);
        Assert.Equal(expected.Data, (await NpyOf(npy)).Data);
    }

    [Fact]
    public async Task ALeftOutEtaKeepsTheSamplersOwnDefault()
    {
        using var factory = Factory();
        using var client = factory.CreateClient();
        // Euler ancestral's eta defaults to 1 (ancestral); 0 would make it the deterministic Euler.
        var options = new GenerationOptions { Sampler = "euler-ancestral", Steps = 5, Count = 2, Seed = 3 };
        var expected = Generator.Generate(Images, options);
        Assert.NotEqual(expected.Data, Generator.Generate(Images, options with { Settings = new SamplerSettings { Eta = 0 } }).Data);

        using var npy = await Post(client, """{ "sampler": "euler-ancestral", "steps": 5, "count": 2, "seed": 3, "format": "npy" }""");

        Assert.Equal(expected.Data, (await NpyOf(npy)).Data);
    }

    [Theory]
    [InlineData("""{ "model": "nope" }""", "model")]
    [InlineData("""{ "sampler": "dpm" }""", "sampler")]
    [InlineData("""{ "steps": 0 }""", "steps")]
    [InlineData("""{ "steps": 100000 }""", "steps")]
    [InlineData("""{ "steps": "many" }""", "steps")]
    [InlineData("""{ "count": 17 }""", "count")]
    [InlineData("""{ "seed": -1 }""", "seed")]
    [InlineData("""{ "eta": 1.5 }""", "eta")]
    [InlineData("""{ "order": 4 }""", "order")]
    [InlineData("""{ "order": "two" }""", "order")]
    [InlineData("""{ "sampler": "dpmpp-sde", "order": 3 }""", "order")]
    [InlineData("""{ "spacing": "cosine" }""", "spacing")]
    [InlineData("""{ "noise": "gaussian" }""", "noise")]
    [InlineData("""{ "format": "gif" }""", "format")]
    [InlineData("""{ "class": 3 }""", "class")]
    [InlineData("""{ "model": "cond", "class": 10 }""", "class")]
    [InlineData("""{ "model": "cond", "class": [1, "x"] }""", "class")]
    [InlineData("""{ "model": "cond", "guidance": 3 }""", "guidance")]
    [InlineData("""{ "model": "cond", "class": 2, "guidance": -1 }""", "guidance")]
    [InlineData("""{ "height": 16 }""", "height")]
    [InlineData("""{ "width": "wide" }""", "width")]
    [InlineData("""{ "stpes": 10 }""", "stpes")]
    [InlineData("""{ "steps": 10""", "body")]
    [InlineData("""[1, 2]""", "body")]
    public async Task BadInputGetsA400ProblemNamingTheField(string body, string field)
    {
        using var factory = Factory();
        using var client = factory.CreateClient();

        using var response = await Post(client, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemOf(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"errors name no '{field}': {problem}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    [Fact]
    public async Task ABodyOverTheLimitGets413()
    {
        using var factory = Factory(new ServerLimits { MaxBodyBytes = 1024 });
        using var client = factory.CreateClient();

        using var response = await Post(client, $$"""{ "model": "{{new string('a', 2000)}}" }""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True((await ProblemOf(response)).GetProperty("errors").TryGetProperty("body", out _));
    }

    [Fact]
    public async Task AFullQueueGets429WithRetryAfterAndTheServerRecovers()
    {
        var slow = new FakeModel(delay: TimeSpan.FromMilliseconds(20));
        using var factory = new DiffusionFactory(ServerFixtures.Options([("slow", slow)], new ServerLimits { MaxInFlight = 1, MaxQueue = 1 }));
        using var client = factory.CreateClient();

        var first = Post(client, """{ "steps": 15 }""");
        SpinWait.SpinUntil(() => slow.CallCount > 0, TimeSpan.FromSeconds(5));
        var second = Post(client, """{ "steps": 15 }""");
        var catalog = (ModelCatalog)factory.Services.GetService(typeof(ModelCatalog))!;
        SpinWait.SpinUntil(() => catalog.Models[0].Admission.Queued == 1, TimeSpan.FromSeconds(5));
        using var third = await Post(client, """{ "steps": 15 }""");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(429, (await ProblemOf(third)).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        using var after = await Post(client, """{ "steps": 2 }""");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(1, catalog.Models[0].Stats.Rejected);
    }

    [Fact]
    public async Task TheStreamSendsAStepEventPerStepPreviewsEveryKStepsThenTheResult()
    {
        using var factory = Factory();
        using var client = factory.CreateClient();

        using var response = await Post(client, """{ "steps": 10, "count": 2, "preview": 3, "model": "cond", "class": [1, 2], "guidance": 2 }""", "/v1/generate/stream");
        var events = ServerSentEvents.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Enumerable.Range(1, 10), events.Where(e => e.Name == "step").Select(e => e.Data.GetProperty("step").GetInt32()));
        Assert.Equal([3, 6, 9, 10], events.Where(e => e.Name == "preview").Select(e => e.Data.GetProperty("step").GetInt32()));
        Assert.All(events.Where(e => e.Name == "preview"), e => Assert.StartsWith("iVBORw0KGgo", e.Data.GetProperty("image").GetString()));
        var result = events[^1];
        Assert.Equal("result", result.Name);
        Assert.Equal(2, result.Data.GetProperty("images").GetArrayLength());
        Assert.Equal([1, 2], result.Data.GetProperty("labels").EnumerateArray().Select(l => l.GetInt32()));
    }

    [Fact]
    public async Task AcceptEventStreamOnGenerateStreamsToo()
    {
        using var factory = Factory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/generate") { Content = new StringContent("""{ "steps": 4 }""", Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request);
        var events = ServerSentEvents.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(4, events.Count(e => e.Name == "step"));
        Assert.Equal("result", events[^1].Name);
    }

    [Fact]
    public async Task ModelsSamplersHealthReadinessAndTheOpenApiDocumentAreServed()
    {
        using var factory = Factory();
        using var client = factory.CreateClient();

        var models = await client.GetFromJsonAsync<JsonElement>("/v1/models");
        var samplers = await client.GetFromJsonAsync<JsonElement>("/v1/samplers");
        string openApi = await client.GetStringAsync("/openapi/v1.json");

        Assert.Equal(["digits", "cond"], models.EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        var cond = models[1];
        Assert.Equal(10, cond.GetProperty("classes").GetInt32());
        Assert.True(cond.GetProperty("guidance").GetBoolean());
        Assert.Equal([1, 8, 8], cond.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(JsonValueKind.Null, cond.GetProperty("sizeMultiple").ValueKind); // one size only
        Assert.Equal(SamplerRegistry.DefaultName, cond.GetProperty("defaultSampler").GetString()); // its config names no diffusers class
        Assert.Equal(GenerationOptions.DefaultSteps, cond.GetProperty("defaultSteps").GetInt32());
        Assert.Contains("discrete", cond.GetProperty("schedule").GetString());
        Assert.Equal(SamplerRegistry.All.Select(s => s.Name), samplers.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        Assert.Equal("ready", await client.GetStringAsync("/readyz"));
        Assert.Contains("/v1/generate", openApi);
        Assert.Contains("/v1/stats", openApi);
        string page = await client.GetStringAsync("/");
        Assert.Contains("<html", page);
    }
}
