using System.Text.Json;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;
using Diffusion.Server.Hosting;

namespace Diffusion.Server.Api;

/// <summary>How a result is returned.</summary>
public enum ResultFormat
{
    /// <summary>One PNG: a grid of the samples (a scatter plot for 2-D points).</summary>
    Png,

    /// <summary>A NumPy .npy file of float32 [N, C, H, W].</summary>
    Npy,

    /// <summary>JSON with each sample as a base64 PNG (2-D points as numbers).</summary>
    Json,
}

/// <summary>A request that passed every check: the model, the generation, and how to answer.</summary>
/// <param name="Model">The served model.</param>
/// <param name="Size">The model at the size asked for, with its batcher.</param>
/// <param name="Options">The generation, as <c>diffusion sample</c> would run it.</param>
/// <param name="Format">How to return the result.</param>
/// <param name="PreviewEvery">Server-sent events: a preview every this many steps (0: none).</param>
public sealed record ValidRequest(ServedModel Model, ServedSize Size, GenerationOptions Options, ResultFormat Format, int PreviewEvery)
{
    /// <summary>Rows the request puts in each model call (twice the samples under guidance).</summary>
    public int Rows => Options.GuidanceScale == 1 || Options.ClassLabels is null ? Options.Count : 2 * Options.Count;
}

/// <summary>Checks a request against the served models and the limits; every problem names its JSON field.</summary>
public static class RequestValidator
{
    /// <summary>The formats by name.</summary>
    public static readonly IReadOnlyList<string> FormatNames = ["png", "npy", "json"];

    /// <summary>Checks <paramref name="request"/>; returns the valid request, or the problems by field.</summary>
    public static (ValidRequest? Request, Dictionary<string, string[]> Errors) Validate(GenerateRequest request,
        IReadOnlyList<ServedModel> models, ServerLimits limits)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];
        void TryLibrary(Action check, string? field = null)
        {
            try
            {
                check();
            }
            catch (DiffusionRequestException e)
            {
                Fail(field ?? FieldOf(e.Member), e.Message);
            }
        }

        ServedModel? model = request.Model is null ? models[0] : models.FirstOrDefault(m => string.Equals(m.Name, request.Model, StringComparison.OrdinalIgnoreCase));
        if (model is null) Fail("model", $"unknown model '{request.Model}': this server has {string.Join(", ", models.Select(m => m.Name))}.");

        string sampler = request.Sampler ?? model?.DefaultSampler ?? SamplerRegistry.DefaultName;
        var known = SamplerRegistry.All.FirstOrDefault(s => string.Equals(s.Name, sampler, StringComparison.OrdinalIgnoreCase));
        if (known is null) Fail("sampler", $"unknown sampler '{sampler}': use one of {string.Join(", ", SamplerRegistry.All.Select(s => s.Name))}.");

        int steps = request.Steps ?? model?.DefaultSteps ?? GenerationOptions.DefaultSteps;
        if (steps < 1 || steps > limits.MaxSteps) Fail("steps", $"steps must lie in 1 to {limits.MaxSteps}, got {steps}.");

        int count = request.Count ?? 1;
        if (count < 1 || count > limits.MaxCount) Fail("count", $"count must lie in 1 to {limits.MaxCount}, got {count}.");

        // The sampler's settings are checked by the library, whose errors name the member; FieldOf maps it to the field.
        var settings = new SamplerSettings { Eta = request.Eta, Order = request.Order };
        TryLibrary(settings.Validate);
        TimestepSpacing? spacing = null;
        if (request.Spacing is { } spacingName) TryLibrary(() => spacing = TimestepSpacingNames.Parse(spacingName), "spacing");
        NoiseKind noise = NoiseKind.PerSample;
        if (request.Noise is { } noiseName) TryLibrary(() => noise = NoiseKindNames.Parse(noiseName), "noise");

        double guidance = request.Guidance ?? 1;
        if (!(guidance >= 0 && guidance <= limits.MaxGuidance)) Fail("guidance", $"guidance must lie in 0 to {limits.MaxGuidance}, got {guidance}.");

        ResultFormat format = ResultFormat.Png;
        if (request.Format is { } f)
        {
            int index = FormatNames.ToList().FindIndex(n => string.Equals(n, f, StringComparison.OrdinalIgnoreCase));
            if (index < 0) Fail("format", $"unknown format '{f}': use png, npy or json.");
            else format = (ResultFormat)index;
        }

        int preview = request.Preview ?? Math.Max(1, steps / 10);
        if (preview < 0) Fail("preview", $"preview must be 0 (none) or a number of steps, got {preview}.");

        IReadOnlyList<int>? labels = null;
        if (model is not null)
        {
            labels = ClassLabels(request.Class, model, Fail);
            if (guidance != 1 && !errors.ContainsKey("guidance"))
            {
                if (labels is null && !errors.ContainsKey("class")) Fail("guidance", "guidance needs a class to guide towards: give class too.");
                else if (model.Model.Config.NullClassLabel is null) Fail("guidance", "this model has no unconditional branch (its config names no null_class_label), so it cannot be guided.");
            }
        }

        ServedSize? size = null;
        if (errors.Count == 0) TryLibrary(() => size = model!.At(request.Height, request.Width));

        if (errors.Count > 0) return (null, errors);
        var options = new GenerationOptions
        {
            Sampler = known!.Name,
            Steps = steps,
            Count = count,
            Seed = request.Seed ?? 0,
            BatchSize = count,
            ClassLabels = labels,
            GuidanceScale = guidance,
            Spacing = spacing,
            Noise = noise,
            Settings = settings,
        };
        return (new ValidRequest(model!, size!, options, format, preview), errors);
    }

    /// <summary>
    /// The request field that a library member (<see cref="DiffusionRequestException.Member"/>) stands for; "body" for none:
    /// the runtime names API members (GenerationOptions.Steps), the service its JSON fields.
    /// </summary>
    public static string FieldOf(string? member) => member switch
    {
        "GenerationOptions.Steps" => "steps",
        "GenerationOptions.Count" or "GenerationOptions.BatchSize" => "count",
        "GenerationOptions.Sampler" => "sampler",
        "GenerationOptions.ClassLabels" => "class",
        "GenerationOptions.GuidanceScale" => "guidance",
        "GenerationOptions.Seed" => "seed",
        "GenerationOptions.Spacing" => "spacing",
        "GenerationOptions.Noise" => "noise",
        "SamplerSettings.Eta" => "eta",
        "SamplerSettings.Order" => "order",
        "height" or "width" => member,
        _ => "body",
    };

    private static IReadOnlyList<int>? ClassLabels(JsonElement? value, ServedModel model, Action<string, string> fail)
    {
        if (value is not { } element || element.ValueKind == JsonValueKind.Null) return null;
        int classes = model.Model.Config.NumClasses;
        if (classes == 0)
        {
            fail("class", $"model '{model.Name}' is not class-conditional: leave class out.");
            return null;
        }
        List<int> labels = [];
        switch (element.ValueKind)
        {
            case JsonValueKind.String when element.GetString() == "all":
                return Enumerable.Range(0, classes).ToArray();
            case JsonValueKind.Number when element.TryGetInt32(out int one):
                labels.Add(one);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int label))
                    {
                        fail("class", "class must be a whole number, a list of them, or \"all\".");
                        return null;
                    }
                    labels.Add(label);
                }
                break;
            default:
                fail("class", "class must be a whole number, a list of them, or \"all\".");
                return null;
        }
        if (labels.Count == 0)
        {
            fail("class", "class is an empty list: give at least one label, or leave class out.");
            return null;
        }
        foreach (int label in labels)
        {
            if (label < 0 || label >= classes)
            {
                fail("class", $"class {label} is out of range: model '{model.Name}' has classes 0 to {classes - 1}.");
                return null;
            }
        }
        return labels;
    }
}
