using System.Globalization;
using Diffusion.Onnx.Graphs;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Google.Protobuf;
using Onnx;

namespace Diffusion.Training.Export;

/// <summary>
/// Edits an exported model without retraining or re-exporting it: replaces the scheduler config in its
/// <c>metadata_props</c> (say, after <c>diffusion info --config</c> and an edit), or declares the height and
/// width of a fully convolutional graph dynamic. The result is checked with the runtime before it replaces
/// anything: it loads, and with a dynamic size it runs at a size other than the trained one.
/// </summary>
public static class ModelEditor
{
    /// <summary>What to change; null members leave the model as it is.</summary>
    /// <param name="SchedulerConfigJson">A scheduler config (JSON) to embed instead of the model's own.</param>
    /// <param name="SizeMultiple">Declare height and width dynamic, in multiples of this (see <see cref="OnnxDiffusionModel.SampleSizeMultipleMetadataKey"/>).</param>
    public sealed record Edit(string? SchedulerConfigJson = null, int? SizeMultiple = null);

    /// <summary>
    /// Reads <paramref name="input"/>, applies <paramref name="edit"/>, checks the result with the runtime and
    /// writes it to <paramref name="output"/> (atomically; it may be the input). Returns the result's sample shape.
    /// </summary>
    /// <exception cref="DiffusionException">The model, the config or the edit is not valid; the message names the fix.</exception>
    public static SampleShape Apply(string input, string output, Edit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var model = ReadModel(input);
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
            var shape = Check(check, edit.SizeMultiple);
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

    /// <summary>Loads the edited model, and with a dynamic size runs it at one multiple larger in each direction.</summary>
    private static SampleShape Check(string path, int? multiple)
    {
        SampleShape trained;
        using (var model = OnnxDiffusionModel.Load(path, new ModelLoadOptions { Device = "cpu", Threads = 1 }))
            trained = model.SampleShape;
        if (multiple is not { } m) return trained;

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
        return trained;
    }
}
