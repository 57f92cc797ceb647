using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Models;
using Diffusion.Server.Hosting;
using Diffusion.Server.Tests.Support;
using Diffusion.Testing;

namespace Diffusion.Server.Tests.Api;

/// <summary>
/// Requests for another height and width of a fully convolutional model (<see cref="DynamicSizeModel"/>: own size
/// 8 x 8, multiples of 4): each size gets a batcher of its own over the one loaded model, and generates exactly
/// what the model loaded at that size generates.
/// </summary>
public sealed class SampleSizeTests : IDisposable
{
    private static readonly ModelLoadOptions Cpu = new() { Device = "cpu", Threads = 1 };
    private readonly TempFolder _folder = new();
    private readonly string _path;

    public SampleSizeTests() => _path = DynamicSizeModel.Save(_folder.File("dynamic.onnx"));

    public void Dispose() => _folder.Dispose();

    private DiffusionFactory Factory(ServerLimits? limits = null)
    {
        var options = new DiffusionServerOptions { Limits = limits ?? new ServerLimits() };
        options.Models.Add(ModelRegistration.Onnx("conv", _path, Cpu));
        return new DiffusionFactory(options);
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string json) =>
        client.PostAsync("/v1/generate", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<NpyArray> NpyOf(HttpResponseMessage response, TempFolder folder)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string path = folder.File($"{Guid.NewGuid():N}.npy");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return NpyFile.Read(path);
    }

    private float[] Expected(int height, int width)
    {
        using var model = OnnxDiffusionModel.Load(_path, Cpu with { Height = height, Width = width });
        return Generator.Generate(model, new GenerationOptions { Sampler = "ddim", Steps = 5, Count = 2, Seed = 7, BatchSize = 2 }).Data;
    }

    [Fact]
    public async Task RequestsOfDifferentSizesRunTogetherAndEachGetsWhatTheModelLoadedAtItsSizeGenerates()
    {
        using var factory = Factory();
        using var client = factory.CreateClient();
        const string Settings = """ "sampler": "ddim", "steps": 5, "count": 2, "seed": 7, "format": "npy" """;

        var responses = await Task.WhenAll(
            Post(client, $$"""{ {{Settings}} }"""),
            Post(client, $$"""{ {{Settings}}, "height": 12, "width": 20 }"""),
            Post(client, $$"""{ {{Settings}}, "width": 4 }"""));
        var arrays = new List<NpyArray>();
        foreach (var response in responses) arrays.Add(await NpyOf(response, _folder));

        Assert.Equal([2, 1, 8, 8], arrays[0].Shape);
        Assert.Equal([2, 1, 12, 20], arrays[1].Shape);
        Assert.Equal([2, 1, 8, 4], arrays[2].Shape);
        Assert.Equal(Expected(8, 8), arrays[0].Data);
        Assert.Equal(Expected(12, 20), arrays[1].Data);
        Assert.Equal(Expected(8, 4), arrays[2].Data);
        var models = await client.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Equal(4, models[0].GetProperty("sizeMultiple").GetInt32());
        var stats = await client.GetFromJsonAsync<JsonElement>("/v1/stats");
        Assert.Equal(6, stats.GetProperty("models")[0].GetProperty("images").GetInt32());
    }

    [Theory]
    [InlineData("""{ "height": 10 }""", "height", "height 10 is not a multiple of 4, which this network needs (its sample_size_multiple): use 8 or 12.")]
    [InlineData("""{ "width": 0 }""", "width", "width must be at least 1, got 0.")]
    [InlineData("""{ "height": 16, "width": 16 }""", "height", "a 1x16x16 sample holds 256 values, more than this server's limit of 200: ask for a smaller size.")]
    public async Task ASizeTheModelOrTheServerCannotTakeGetsA400NamingTheField(string body, string field, string message)
    {
        using var factory = Factory(new ServerLimits { MaxSampleValues = 200 });
        using var client = factory.CreateClient();

        using var response = await Post(client, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task SizesBeyondTheServersLimitAreRefusedNamingTheSizesItServes()
    {
        using var factory = Factory(new ServerLimits { MaxSizesPerModel = 2 });
        using var client = factory.CreateClient();

        using var first = await Post(client, """{ "height": 12, "steps": 2, "format": "npy" }""");
        using var again = await Post(client, """{ "height": 12, "steps": 2, "format": "npy" }""");
        using var third = await Post(client, """{ "height": 4, "steps": 2, "format": "npy" }""");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, third.StatusCode);
        var problem = JsonDocument.Parse(await third.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("model 'conv' already serves 2 sizes (8x8, 12x8), this server's limit: ask for one of them.",
            problem.GetProperty("errors").GetProperty("height")[0].GetString());
    }
}
