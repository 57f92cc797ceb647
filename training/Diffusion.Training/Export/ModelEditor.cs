using System.Globalization;
using Diffusion.Onnx.Graphs;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Diffusion.Training.Export;

/// <summary>
/// Edits an exported model without retraining or re-exporting it: replaces the scheduler config in its
/// <c>metadata_props</c> (say, after <c>diffusion info --config</c> and an edit), or declares the height and
/// width of a fully convolutional graph dynamic, or joins a weaker model to it as its autoguidance
/// (<see cref="AutoguidanceGraph"/>). The result is checked with the runtime before it replaces
/// anything: it loads, and with a dynamic size it runs at a size other than the trained one.
/// </summary>
public static class ModelEditor
{
    /// <summary>What to change; null members leave the model as it is.</summary>
    /// <param name="SchedulerConfigJson">A scheduler config (JSON) to embed instead of the model's own.</param>
    /// <param name="SizeMultiple">Declare height and width dynamic, in multiples of this (see <see cref="OnnxDiffusionModel.SampleSizeMultipleMetadataKey"/>).</param>
    /// <param name="GuidePath">An exported model of the same data, weaker than this one, to guide it with (autoguidance).</param>
    /// <param name="GuideWeight">The autoguidance weight w; needed with <paramref name="GuidePath"/>.</param>
    public sealed record Edit(string? SchedulerConfigJson = null, int? SizeMultiple = null, string? GuidePath = null, double? GuideWeight = null);

    /// <summary>
    /// Reads <paramref name="input"/>, applies <paramref name="edit"/>, checks the result with the runtime and
    /// writes it to <paramref name="output"/> (atomically; it may be the input). Returns the result's sample shape.
    /// </summary>
    /// <exception cref="DiffusionException">The model, the config or the edit is not valid; the message names the fix.</exception>
    public static SampleShape Apply(string input, string output, Edit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var model = ReadModel(input);
        if (edit.GuidePath is not null != edit.GuideWeight is not null)
            throw new DiffusionRequestException("autoguidance needs both the guide model and its weight.", edit.GuidePath is null ? "GuidePath" : "GuideWeight");
        if (edit.GuidePath is not null && edit.SchedulerConfigJson is not null)
            throw new DiffusionRequestException("join a guide and replace the scheduler config in two edits: the guide must share the config the model was trained with.", "SchedulerConfigJson");
        if (edit.GuidePath is { } guide) AutoguidanceGraph.Join(model, ReadModel(guide), edit.GuideWeight!.Value);
        if (edit.SchedulerConfigJson is { } json)
        {
            var config = SchedulerConfig.Parse(json, "the new scheduler config");
            SetMetadata(model, SchedulerConfig.MetadataKey, config.ToJson());
        }
        if (edit.SizeMultiple is { } multiple)
        {
            if (multiple is < 1 or > 1 << 16)
                throw new DiffusionRequestException($"the size multiple must lie in 1 to 65536, got {multiple}.", "SizeMultiple");
            MakeSizeDynamic(model, multiple);
        }

        // Check in a temporary file beside the output, then rename it into place: nothing is replaced by a model that fails.
        ModelFiles.CreateFolderOf(output);
        string check = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, $".{Path.GetFileName(output)}.{Environment.ProcessId}.check.onnx");
        try
        {
            model.Save(check);
            var (shape, config) = Check(check, edit.SizeMultiple);
            if (edit.GuidePath is { } guidePath) CheckGuidance(check, input, guidePath, edit.GuideWeight!.Value, shape, config);
            File.Move(check, output, overwrite: true);
            return shape;
        }
        finally
        {
            File.Delete(check);
        }
    }

    /// <summary>The ONNX model at <paramref name="path"/>; a missing file or one that is not ONNX is a <see cref="DiffusionModelException"/> naming it.</summary>
    internal static ModelProto ReadModel(string path)
    {
        if (!File.Exists(path)) throw new DiffusionModelException($"model file '{path}' does not exist: give the path of an .onnx file.");
        try
        {
            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new DiffusionModelException($"'{path}' is not an ONNX model ({e.Message.TrimEnd('.')}): give an .onnx file our exporter or another ONNX exporter wrote.");
        }
    }

    private static void SetMetadata(ModelProto model, string key, string value)
    {
        var entry = model.MetadataProps.FirstOrDefault(e => e.Key == key);
        if (entry is null) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        else entry.Value = value;
    }

    /// <summary>The sample input and the model's output become [batch, C, height, width].</summary>
    private static void MakeSizeDynamic(ModelProto model, int multiple)
    {
        var sample = model.Graph.Input.FirstOrDefault(i => i.Name == "sample")
            ?? throw new DiffusionModelException("the model has no input named 'sample', so it is not a model of this runtime's contract.");
        var output = model.Graph.Output.FirstOrDefault(o => o.Name == "out_sample") ?? model.Graph.Output[0];
        foreach (var value in new[] { sample, output })
        {
            var dims = value.Type.TensorType.Shape.Dim;
            if (dims.Count != 4) throw new DiffusionModelException($"'{value.Name}' has rank {dims.Count}, not [N, C, H, W].");
            dims[2] = new TensorShapeProto.Types.Dimension { DimParam = "height" };
            dims[3] = new TensorShapeProto.Types.Dimension { DimParam = "width" };
        }
        SetMetadata(model, OnnxDiffusionModel.SampleSizeMultipleMetadataKey, multiple.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The joined graph's output is guide + w (main - guide) of the two graphs it joined, fed the same inputs: the raw
    /// outputs, before the runtime converts and clips them.
    /// </summary>
    private static void CheckGuidance(string joinedPath, string mainPath, string guidePath, double weight, SampleShape shape, SchedulerConfig config)
    {
        var x = new float[shape.Size];
        new Runtime.Noise.BatchNoise(0, 0, 1, x.Length).Fill(x);
        // A mid-range noise level in each timestep convention.
        float timestep = config.TimestepInput switch
        {
            TimestepInput.Index => config.NumTrainTimesteps / 2f,
            TimestepInput.Time => 0.5f,
            TimestepInput.Sigma => 1f,
            _ => 0f,
        };
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1 };
        float[] Run(string path)
        {
            using var session = new InferenceSession(path, sessionOptions);
            var inputs = session.InputMetadata.Keys.Select(name => name switch
            {
                "sample" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(x, [1, shape.Channels, shape.Height, shape.Width])),
                "timestep" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(new[] { timestep }, [1])),
                _ => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(new[] { 0L }, [1])),
            }).ToList();
            using var results = session.Run(inputs);
            return results[0].AsEnumerable<float>().ToArray();
        }
        float[] j = Run(joinedPath), m = Run(mainPath), g = Run(guidePath);
        double worst = Enumerable.Range(0, j.Length).Max(i => Math.Abs(j[i] - (g[i] + weight * (m[i] - g[i]))) / (1 + Math.Abs(j[i])));
        if (!(worst <= 1e-4))
            throw new DiffusionModelException($"the joined graph does not compute guide + w (main - guide): off by {worst:G3}. This is a bug; please report it with both models.");
    }

    /// <summary>
    /// Loads the edited model, and with a dynamic size runs it at one multiple larger in each direction. Returns the
    /// trained sample shape and the config the runtime read.
    /// </summary>
    private static (SampleShape Shape, SchedulerConfig Config) Check(string path, int? multiple)
    {
        SampleShape trained;
        SchedulerConfig config;
        using (var model = OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Threads = 1 }))
            (trained, config) = (model.SampleShape, model.Config);
        if (multiple is not { } m) return (trained, config);

        using var resized = OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Threads = 1, Height = trained.Height + m, Width = trained.Width + m });
        try
        {
            var labels = resized.Config.NumClasses > 0 ? new[] { 0 } : null;
            Runtime.Generation.Generator.Generate(resized, new GenerationOptions { Sampler = "ddim", Steps = 1, Count = 1, ClassLabels = labels });
        }
        catch (DiffusionModelException e)
        {
            throw new DiffusionModelException(
                $"the graph does not run at {trained.Height + m}x{trained.Width + m}, so its size cannot be made dynamic " +
                $"(it is not fully convolutional, or not in multiples of {m}): {e.Message}", e);
        }
        return (trained, config);
    }
}
