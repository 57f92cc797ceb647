using System.Globalization;
using System.Text.Json.Nodes;
using Diffusion.Runtime;
using Diffusion.Runtime.Models;
using Onnx;

namespace Diffusion.Training.Export;

/// <summary>
/// Joins two exported models of the same data into one graph that computes autoguidance (Karras et al. 2024, eq. 2):
/// out = guide + w (main - guide), where guide is a weaker model (smaller, or trained for less). Both networks read the
/// same inputs; the guide's nodes and weights are renamed under <see cref="GuidePrefix"/>. Mixing the two outputs
/// mixes the two denoised estimates, since both predict the same quantity of the same x and time. The runtime, the
/// server's step batching and every sampler then see one model, which runs both networks at every evaluation.
/// </summary>
public static class AutoguidanceGraph
{
    /// <summary>The prefix of the guide's node, value and weight names in the joined graph.</summary>
    public const string GuidePrefix = "guide/";

    /// <summary>The metadata key recording the guidance weight w.</summary>
    public const string WeightKey = "autoguidance_weight";

    /// <summary>The metadata key recording the guide's network type and configuration.</summary>
    public const string GuideNetworkKey = "autoguidance_guide_network";

    /// <summary>Adds <paramref name="guide"/> to <paramref name="main"/> (which is changed) as its autoguidance at weight <paramref name="weight"/>.</summary>
    /// <exception cref="DiffusionRequestException">The weight is negative or not finite.</exception>
    /// <exception cref="DiffusionModelException">The models differ in inputs, output, scheduler config or opset, or one is already guided.</exception>
    public static void Join(ModelProto main, ModelProto guide, double weight)
    {
        if (!(weight >= 0 && double.IsFinite(weight)))
            throw new DiffusionRequestException($"the guidance weight must be 0 or more, got {weight}: 1 is the main model alone, 1.5-3 are typical.", "GuideWeight");
        foreach (var model in new[] { main, guide })
        {
            if (Metadata(model, WeightKey) is not null)
                throw new DiffusionModelException("a model is already autoguided: join plain exports, each once.");
        }
        RequireSameConfig(main, guide);
        RequireSame(main, guide, OnnxDiffusionModel.SampleSizeMultipleMetadataKey, "sample size multiple",
            "make both sizes dynamic with the same --size-multiple, or neither");
        if (main.Graph.Output.Count != 1 || guide.Graph.Output.Count != 1)
            throw new DiffusionModelException($"the models have {main.Graph.Output.Count} and {guide.Graph.Output.Count} outputs: join models of one output, out_sample.");
        string Signature(ModelProto m) => string.Join("; ", m.Graph.Input.Select(i => i.ToString())) + " -> " + m.Graph.Output[0].Type;
        if (Signature(main) != Signature(guide))
            throw new DiffusionModelException($"the guide's inputs and output ({Signature(guide)}) are not the main model's ({Signature(main)}).");
        string Opsets(ModelProto m) => string.Join(",", m.OpsetImport.OrderBy(o => o.Domain).Select(o => $"{o.Domain}:{o.Version}"));
        if (Opsets(main) != Opsets(guide))
            throw new DiffusionModelException($"the guide imports opsets {Opsets(guide)}, the main model {Opsets(main)}: export both with the same exporter.");

        var inputs = main.Graph.Input.Select(i => i.Name).ToHashSet();
        string output = main.Graph.Output[0].Name, guideOutput = guide.Graph.Output[0].Name;
        string Renamed(string name) => name.Length == 0 || inputs.Contains(name) ? name : GuidePrefix + name;
        foreach (var node in guide.Graph.Node)
        {
            if (node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))
                throw new DiffusionModelException($"the guide's node '{node.Name}' ({node.OpType}) holds a subgraph, which joining does not rename: export the guide without control flow.");
            var renamed = node.Clone();
            renamed.Name = Renamed(node.Name);
            for (int i = 0; i < renamed.Input.Count; i++) renamed.Input[i] = Renamed(renamed.Input[i]);
            for (int i = 0; i < renamed.Output.Count; i++) renamed.Output[i] = Renamed(renamed.Output[i]);
            main.Graph.Node.Add(renamed);
        }
        foreach (var tensor in guide.Graph.Initializer)
        {
            var renamed = tensor.Clone();
            renamed.Name = Renamed(tensor.Name);
            main.Graph.Initializer.Add(renamed);
        }
        foreach (var info in guide.Graph.ValueInfo)
        {
            var renamed = info.Clone();
            renamed.Name = Renamed(info.Name);
            main.Graph.ValueInfo.Add(renamed);
        }

        // The main network's output becomes an inner value; the graph's output is the guided mixture.
        string mainOutput = "main/" + output;
        foreach (var node in main.Graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == output) node.Output[i] = mainOutput;
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == output) node.Input[i] = mainOutput;
        }
        var w = new TensorProto { Name = "autoguidance/weight", DataType = (int)TensorProto.Types.DataType.Float };
        w.FloatData.Add((float)weight);
        main.Graph.Initializer.Add(w);
        main.Graph.Node.Add(Node("Sub", [mainOutput, Renamed(guideOutput)], "autoguidance/difference"));
        main.Graph.Node.Add(Node("Mul", ["autoguidance/difference", w.Name], "autoguidance/scaled"));
        main.Graph.Node.Add(Node("Add", [Renamed(guideOutput), "autoguidance/scaled"], output));

        main.MetadataProps.Add(new StringStringEntryProto { Key = WeightKey, Value = weight.ToString("R", CultureInfo.InvariantCulture) });
        string guideNetwork = $"{Metadata(guide, OnnxExporter.NetworkTypeKey) ?? "unknown"} {Metadata(guide, OnnxExporter.NetworkConfigKey) ?? "{}"}";
        main.MetadataProps.Add(new StringStringEntryProto { Key = GuideNetworkKey, Value = guideNetwork });
        main.DocString = $"{main.DocString} guided by a weaker model (autoguidance, w = {weight.ToString(CultureInfo.InvariantCulture)})".Trim();
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static string? Metadata(ModelProto model, string key) => model.MetadataProps.FirstOrDefault(e => e.Key == key)?.Value;

    /// <summary>The two embedded scheduler configs mean the same, key by key once parsed (an older export may leave out keys at their defaults).</summary>
    private static void RequireSameConfig(ModelProto main, ModelProto guide)
    {
        JsonObject Parsed(ModelProto model, string which)
        {
            string json = Metadata(model, SchedulerConfig.MetadataKey)
                ?? throw new DiffusionModelException($"the {which} has no embedded scheduler config ({SchedulerConfig.MetadataKey}): embed one with edit-model --scheduler-config first.");
            return JsonNode.Parse(SchedulerConfig.Parse(json, $"the {which}'s scheduler config").ToJson())!.AsObject();
        }
        JsonObject a = Parsed(main, "main model"), b = Parsed(guide, "guide");
        var differing = a.Select(p => p.Key).Union(b.Select(p => p.Key))
            .Where(key => !JsonNode.DeepEquals(a[key], b[key]))
            .Select(key => $"{key}: {a[key]?.ToJsonString() ?? "none"} in the main model, {b[key]?.ToJsonString() ?? "none"} in the guide")
            .ToList();
        if (differing.Count > 0)
            throw new DiffusionModelException(
                $"the guide's scheduler config is not the main model's ({string.Join("; ", differing)}): autoguidance needs two models trained on the same noise process and prediction type.");
    }

    private static void RequireSame(ModelProto main, ModelProto guide, string key, string what, string fix)
    {
        string? a = Metadata(main, key), b = Metadata(guide, key);
        if (a != b)
            throw new DiffusionModelException($"the guide's {what} ({b ?? "none"}) is not the main model's ({a ?? "none"}): autoguidance needs {fix}.");
    }
}
