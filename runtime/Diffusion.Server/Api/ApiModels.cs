using System.Text.Json;
using Diffusion.Runtime.Samplers;
using Diffusion.Server.Hosting;

namespace Diffusion.Server.Api;

/// <summary>A served model, as <c>GET /v1/models</c> lists it.</summary>
/// <param name="Name">The name requests use.</param>
/// <param name="Source">Where it was loaded from.</param>
/// <param name="Shape">One sample's shape, [C, H, W], at the model's own size.</param>
/// <param name="SizeMultiple">Null when the model generates its own size only; otherwise a request's height and width must be multiples of it.</param>
/// <param name="Schedule">The noise process, in one line.</param>
/// <param name="PredictionType">What the network predicts (epsilon, sample, v_prediction, score).</param>
/// <param name="Classes">Number of classes (0: unconditional).</param>
/// <param name="Guidance">True when classifier-free guidance is possible (the config names a null class).</param>
/// <param name="DefaultSampler">The sampler of a request that names none.</param>
/// <param name="DefaultSteps">The steps of a request that names none.</param>
/// <param name="MaxBatchRows">Most rows per model call.</param>
/// <param name="DataRange">The data range [min, max].</param>
/// <param name="Config">The scheduler config.</param>
public sealed record ModelInfo(string Name, string Source, int[] Shape, int? SizeMultiple, string Schedule, string PredictionType, int Classes, bool Guidance,
    string DefaultSampler, int DefaultSteps, int MaxBatchRows, double[] DataRange, JsonElement Config)
{
    /// <summary>Describes <paramref name="model"/>.</summary>
    public static ModelInfo Of(ServedModel model)
    {
        var m = model.Model;
        var s = m.SampleShape;
        return new ModelInfo(model.Name, Path.GetFileName(model.Source), [s.Channels, s.Height, s.Width], model.SizeMultiple, m.Schedule.Describe(),
            Runtime.Denoising.PredictionConversion.Name(m.Config.PredictionType), m.Config.NumClasses, m.Config.NullClassLabel is not null,
            model.DefaultSampler, model.DefaultSteps, model.MaxBatchRows, [m.Config.DataMin, m.Config.DataMax],
            JsonDocument.Parse(m.Config.ToJson()).RootElement.Clone());
    }
}

/// <summary>A sampler, as <c>GET /v1/samplers</c> lists it.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Summary">One line on what it is.</param>
/// <param name="Options">The options it reads.</param>
public sealed record SamplerInfo(string Name, string Summary, IReadOnlyList<string> Options);

/// <summary>One model's figures since start, as <c>GET /v1/stats</c> gives them (the metrics instruments publish the same).</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Requests">Requests completed with a result.</param>
/// <param name="Images">Samples generated.</param>
/// <param name="ModelCalls">Model calls.</param>
/// <param name="RowsEvaluated">Rows evaluated by those calls.</param>
/// <param name="MeanBatchOccupancy">Mean rows per model call.</param>
/// <param name="MeanBatchFill">Mean rows per call over the most a call takes, in [0, 1].</param>
/// <param name="MaxBatchRows">Most rows per call at the model's own size.</param>
/// <param name="QueueLength">Requests waiting for admission now.</param>
/// <param name="InFlight">Requests generating now.</param>
/// <param name="PendingRows">Rows waiting for a model call now, over every size.</param>
/// <param name="Rejected">Requests refused with 429.</param>
/// <param name="Cancelled">Requests whose client went away.</param>
/// <param name="Failed">Requests the model failed.</param>
public sealed record ModelStatsInfo(string Model, long Requests, long Images, long ModelCalls, long RowsEvaluated, double MeanBatchOccupancy,
    double MeanBatchFill, int MaxBatchRows, int QueueLength, int InFlight, int PendingRows, long Rejected, long Cancelled, long Failed);

/// <summary>The body of <c>GET /v1/stats</c>.</summary>
/// <param name="Since">When the server started.</param>
/// <param name="Batching">True when requests share model calls.</param>
/// <param name="Models">Each model's figures.</param>
public sealed record ServerStats(DateTimeOffset Since, bool Batching, IReadOnlyList<ModelStatsInfo> Models)
{
    /// <summary>The figures now.</summary>
    public static ServerStats Of(ModelCatalog catalog) => new(catalog.Started, catalog.Batching, catalog.Models.Select(m =>
    {
        var s = m.Stats;
        double mean = s.MeanBatchRows;
        return new ModelStatsInfo(m.Name, s.Requests, s.Images, s.ModelCalls, s.Rows, Math.Round(mean, 3), Math.Round(mean / m.MaxBatchRows, 4), m.MaxBatchRows,
            m.Admission.Queued, m.Admission.InFlight, m.PendingRows, s.Rejected, s.Cancelled, s.Failed);
    }).ToList());
}
