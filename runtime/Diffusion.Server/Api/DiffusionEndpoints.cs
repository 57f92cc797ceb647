using Diffusion.Runtime.Imaging;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.IO;
using Diffusion.Runtime.Samplers;
using Diffusion.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Diffusion.Server.Api;

/// <summary>The HTTP API: generate (whole or as server-sent events), models, samplers, stats, health.</summary>
public static class DiffusionEndpoints
{
    /// <summary>The JSON conventions of the API: camelCase, unknown members refused (so a misspelt field is named, not ignored).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Maps every endpoint of the API.</summary>
    public static IEndpointRouteBuilder MapDiffusionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/v1");
        v1.MapPost("/generate", (HttpContext context, ModelCatalog catalog) => Generate(context, catalog, stream: IsEventStream(context.Request)))
            .WithName("Generate")
            .WithSummary("Generate samples: a PNG grid (default), .npy or JSON; server-sent events with Accept: text/event-stream.")
            .Accepts<GenerateRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .Produces<GenerateResult>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        v1.MapPost("/generate/stream", (HttpContext context, ModelCatalog catalog) => Generate(context, catalog, stream: true))
            .WithName("GenerateStream")
            .WithSummary("Generate with progress as server-sent events: queued, step, preview (an x0 PNG every k steps), then result or error.")
            .Accepts<GenerateRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        v1.MapGet("/models", (ModelCatalog catalog) => TypedResults.Ok(catalog.Models.Select(ModelInfo.Of).ToList()))
            .WithName("Models").WithSummary("The served models: schedule, shapes, classes, default sampler, batch bound.");
        v1.MapGet("/samplers", () => TypedResults.Ok(SamplerRegistry.All.Select(s => new SamplerInfo(s.Name, s.Summary, s.Options)).ToList()))
            .WithName("Samplers").WithSummary("The samplers and the options each reads.");
        v1.MapGet("/stats", (ModelCatalog catalog) => TypedResults.Ok(ServerStats.Of(catalog)))
            .WithName("Stats").WithSummary("Per model since start: requests, images, model calls, rows, mean batch occupancy, queue length.");
        endpoints.MapGet("/healthz", () => TypedResults.Text("ok")).WithName("Health").WithSummary("The process is up.");
        endpoints.MapGet("/readyz", (ModelCatalog catalog) => catalog.Ready
                ? Results.Text("ready")
                : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: "the server is shutting down."))
            .WithName("Ready").WithSummary("The models are loaded and the server takes requests (503 while draining).");
        return endpoints;
    }

    private static bool IsEventStream(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    private static async Task<IResult> Generate(HttpContext context, ModelCatalog catalog, bool stream)
    {
        var (body, tooLarge) = await ReadBody(context.Request, catalog.Limits.MaxBodyBytes, context.RequestAborted);
        if (tooLarge)
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"the body must be at most {catalog.Limits.MaxBodyBytes} bytes.", extensions: Field("body"));
        GenerateRequest? request;
        try
        {
            if (body.Length > 0) JsonDocument.Parse(body).Dispose(); // malformed JSON names the body, not the field it broke off in
        }
        catch (JsonException e)
        {
            return Invalid("body", $"the body is not valid JSON: {FirstLine(e.Message)}");
        }
        try
        {
            request = body.Length == 0 ? new GenerateRequest() : JsonSerializer.Deserialize<GenerateRequest>(body, Json);
            if (request is null) return Invalid("body", "the body must be a JSON object.");
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            if (field == "body") return Invalid(field, $"the body is not a valid JSON object: {FirstLine(e.Message)}");
            return Invalid(field, e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"'{field}' is not a field of the request: use {string.Join(", ", RequestFields)}."
                : $"{field} must be {ExpectedType(field)}.");
        }

        // In flight before validation, which may start a batcher for a new size: the models stay until it ends.
        using var scope = catalog.BeginRequest();
        if (scope is null) return ShuttingDown();
        var (valid, errors) = RequestValidator.Validate(request, catalog.Models, catalog.Limits);
        if (valid is null) return Results.ValidationProblem(errors, title: "The request is invalid", detail: string.Join(" ", errors.Values.SelectMany(v => v)));
        var admission = valid.Model.Admission.TryEnter(context.RequestAborted);
        if (admission is null)
        {
            valid.Model.Stats.RejectedOne();
            int seconds = RetryAfterSeconds(valid.Model);
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                detail: $"model '{valid.Model.Name}' has {valid.Model.Admission.Queued} requests waiting, its limit; retry in about {seconds} s.",
                extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
        }

        if (stream)
        {
            await Stream(context, valid, admission);
            return Results.Empty;
        }
        try
        {
            using var lease = await admission;
            context.RequestAborted.ThrowIfCancellationRequested();
            long started = Stopwatch.GetTimestamp();
            var samples = await GenerationJob.RunAsync(valid, null, context.RequestAborted);
            return Answer(valid, samples, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // the client is gone
        }
        catch (DiffusionRequestException e)
        {
            return Invalid(RequestValidator.FieldOf(e.Member), e.Message);
        }
        catch (DiffusionModelException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "The model failed", detail: e.Message);
        }
    }

    private static IResult Answer(ValidRequest request, GeneratedSamples samples, TimeSpan elapsed)
    {
        var config = request.Model.Model.Config;
        switch (request.Format)
        {
            case ResultFormat.Npy:
                var npy = new MemoryStream();
                NpyFile.Encode(npy, samples.Data, samples.TensorShape);
                return Results.File(npy.ToArray(), "application/x-npy", "samples.npy");
            case ResultFormat.Json:
                return Results.Json(Result(request, samples, elapsed, grid: false), Json);
            default:
                if (!SamplePictures.CanDraw(samples.Shape))
                    return Invalid("format", $"samples of shape {samples.Shape} are neither images nor 2-D points: ask for format npy.");
                return Results.File(SamplePictures.Png(samples.Data, samples.Count, samples.Shape, config, Text(request)), "image/png");
        }
    }

    /// <summary>The result as JSON: per-sample base64 PNGs for images, values for points.</summary>
    internal static GenerateResult Result(ValidRequest request, GeneratedSamples samples, TimeSpan elapsed, bool grid)
    {
        var shape = samples.Shape;
        var config = request.Model.Model.Config;
        bool images = SamplePictures.AreImages(shape);
        return new GenerateResult
        {
            Model = request.Model.Name,
            Sampler = request.Options.Sampler!, // RequestValidator always names one
            Steps = request.Options.Steps,
            Seed = request.Options.Seed,
            Count = samples.Count,
            Shape = samples.TensorShape,
            Labels = samples.Labels,
            Guidance = request.Options.GuidanceScale,
            ModelEvaluations = samples.ModelEvaluations,
            Seconds = Math.Round(elapsed.TotalSeconds, 4),
            Images = images ? SamplePictures.EachPng(samples.Data, samples.Count, shape, config).Select(Convert.ToBase64String).ToList() : null,
            Points = images ? null : Enumerable.Range(0, samples.Count).Select(i => samples.Data.AsSpan(i * shape.Size, shape.Size).ToArray()).ToList(),
            Grid = grid && SamplePictures.CanDraw(shape) ? Convert.ToBase64String(SamplePictures.Png(samples.Data, samples.Count, shape, config)) : null,
        };
    }

    private static IReadOnlyDictionary<string, string> Text(ValidRequest request) =>
        SamplePictures.Describe(request.Model.Name, request.Options, request.Options.Sampler!); // RequestValidator always names the sampler

    // Server-sent events: queued (when waiting), step, preview, then result or error.
    private static async Task Stream(HttpContext context, ValidRequest request, Task<IDisposable> admission)
    {
        var response = context.Response;
        var cancellation = context.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var events = Channel.CreateUnbounded<(string Name, object Data)>(new UnboundedChannelOptions { SingleReader = true });
        var shape = request.Size.Model.SampleShape;
        var config = request.Model.Model.Config;

        async Task Produce()
        {
            try
            {
                if (!admission.IsCompleted)
                    events.Writer.TryWrite(("queued", new { position = request.Model.Admission.Queued }));
                using var lease = await admission;
                cancellation.ThrowIfCancellationRequested();
                long started = Stopwatch.GetTimestamp();
                var samples = await GenerationJob.RunAsync(request, new ChannelEvents(events.Writer), cancellation);
                events.Writer.TryWrite(("result", Result(request, samples, Stopwatch.GetElapsedTime(started), grid: true)));
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
            }
            catch (DiffusionRequestException e)
            {
                events.Writer.TryWrite(("error", Problem(400, "The request is invalid", e.Message, RequestValidator.FieldOf(e.Member))));
            }
            catch (DiffusionModelException e)
            {
                events.Writer.TryWrite(("error", Problem(500, "The model failed", e.Message, null)));
            }
            finally
            {
                events.Writer.Complete();
            }
        }

        var producer = Produce();
        try
        {
            await response.Body.FlushAsync(cancellation);
            await foreach (var (name, data) in events.Reader.ReadAllAsync(cancellation))
            {
                object payload = data is PreviewEvent p
                    ? new { step = p.Step, steps = request.Options.Steps, image = Convert.ToBase64String(SamplePictures.Png(p.Denoised, request.Options.Count, shape, config)) }
                    : data;
                await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(payload, Json)}\n\n", Encoding.UTF8, cancellation);
                await response.Body.FlushAsync(cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        await producer;
    }

    private sealed record PreviewEvent(int Step, float[] Denoised);

    private sealed class ChannelEvents(ChannelWriter<(string, object)> writer) : IGenerationEvents
    {
        public void Step(int step, int steps) => writer.TryWrite(("step", new { step, steps }));

        public void Preview(int step, float[] denoised) => writer.TryWrite(("preview", new PreviewEvent(step, denoised)));
    }

    private static async Task<(byte[] Body, bool TooLarge)> ReadBody(HttpRequest request, int limit, CancellationToken cancellation)
    {
        if (request.ContentLength > limit) return ([], true);
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > limit) return ([], true);
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), false);
    }

    private static int RetryAfterSeconds(ServedModel model)
    {
        double perRequest = model.Stats.MeanRequestSeconds;
        if (perRequest <= 0) perRequest = 1;
        double seconds = perRequest * (1 + (double)model.Admission.Queued / model.Admission.MaxInFlight);
        return (int)Math.Clamp(Math.Ceiling(seconds), 1, 600);
    }

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is invalid", detail: message);

    private static IResult ShuttingDown() =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down",
            detail: "the server is draining the requests in flight and takes no new ones; retry on another replica.");

    private static Dictionary<string, object?> Field(string field) => new() { ["errors"] = new Dictionary<string, string[]> { [field] = ["too large"] } };

    private static object Problem(int status, string title, string detail, string? field) => field is null
        ? new { status, title, detail }
        : new { status, title, detail, errors = new Dictionary<string, string[]> { [field] = [detail] } };

    private static readonly string[] RequestFields = ["model", "sampler", "steps", "height", "width", "count", "seed", "class", "guidance", "eta", "order", "spacing", "noise", "format", "preview"];

    private static string ExpectedType(string field) => field switch
    {
        "steps" or "count" or "preview" or "order" or "height" or "width" => "a whole number",
        "seed" => "a whole number from 0 to 18446744073709551615",
        "guidance" or "eta" => "a number",
        "class" => "a class label, a list of them, or \"all\"",
        _ => "a string",
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
