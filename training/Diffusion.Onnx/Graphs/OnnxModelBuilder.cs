using Google.Protobuf;
using Onnx;

namespace Diffusion.Onnx.Graphs;

/// <summary>
/// Builds an ONNX model one value at a time. Every method that creates a value returns its
/// name, so graphs read like the math: <c>var y = g.Add(g.MatMul(x, w), b);</c>. Intermediate
/// names are made unique automatically; inputs, outputs and named initializers keep the names
/// they are given. <see cref="Build"/> returns the <see cref="ModelProto"/>.
/// </summary>
/// <remarks>
/// Element-wise helpers, constants and initializers live in the other parts of this class
/// (<c>OnnxModelBuilder.Operators.cs</c>, <c>OnnxModelBuilder.Tensors.cs</c>).
/// </remarks>
public sealed partial class OnnxModelBuilder
{
    /// <summary>The default operator-set version of the ONNX domain.</summary>
    public const int DefaultOpsetVersion = 17;

    /// <summary>
    /// The IR version written to models: 8, the one defined by the onnx.proto this project
    /// compiles (ONNX 1.12), which carries opsets up to 17.
    /// </summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);   // every name handed out: values and nodes
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);  // values that exist: inputs, initializers, node outputs
    private readonly Dictionary<string, int> _nextSuffix = new(StringComparer.Ordinal);

    /// <summary>Starts an empty model whose graph is called <paramref name="graphName"/>.</summary>
    public OnnxModelBuilder(string graphName = "main")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>The opset version of the default ONNX domain (17 unless set).</summary>
    public int OpsetVersion { get; init; } = DefaultOpsetVersion;

    /// <summary>The <c>producer_name</c> written to the model.</summary>
    public string ProducerName { get; init; } = "Diffusion.Onnx";

    /// <summary>The <c>producer_version</c> written to the model, if any. Left unset by default so output is reproducible.</summary>
    public string? ProducerVersion { get; init; }

    /// <summary>A human-readable description written as the model's <c>doc_string</c>, if any.</summary>
    public string? DocString { get; set; }

    /// <summary>
    /// Key/value pairs written to the model's <c>metadata_props</c> (ONNX Runtime exposes them as
    /// <c>ModelMetadata.CustomMetadataMap</c>). Written in ordinal key order so output is reproducible.
    /// </summary>
    public IDictionary<string, string> Metadata { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Declares a graph input and returns its name.</summary>
    /// <param name="name">The input's name, used by callers to feed it.</param>
    /// <param name="type">Its element type.</param>
    /// <param name="shape">Its dimensions, fixed or symbolic; none for a scalar (rank 0).</param>
    public string Input(string name, ElementType type, params Dim[] shape)
    {
        Claim(name, "input");
        _graph.Input.Add(ValueInfo(name, type, shape));
        return name;
    }

    /// <summary>Declares the existing value <paramref name="value"/> a graph output under its own name.</summary>
    public string Output(string value, ElementType type, params Dim[] shape)
    {
        RequireKnown(value, "Output");
        if (_graph.Output.Any(o => o.Name == value))
            throw new InvalidOperationException($"'{value}' is already a graph output: declare each output once.");
        _graph.Output.Add(ValueInfo(value, type, shape));
        return value;
    }

    /// <summary>
    /// Declares a graph output called <paramref name="name"/> holding <paramref name="value"/>
    /// (through an <c>Identity</c> node when the names differ) and returns <paramref name="name"/>.
    /// </summary>
    public string Output(string value, string name, ElementType type, params Dim[] shape)
    {
        if (value != name)
            Node("Identity", [value], [name]);
        return Output(name, type, shape);
    }

    /// <summary>Adds a node with one output, named automatically, and returns that name.</summary>
    /// <param name="opType">The ONNX operator, e.g. <c>"Conv"</c>.</param>
    /// <param name="inputs">Names of existing values; <c>""</c> skips an optional input.</param>
    /// <param name="attributes">Attributes built with <see cref="OnnxAttribute"/>.</param>
    public string Node(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Node(opType, inputs, outputCount: 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> automatically named outputs and returns their names.</summary>
    public IReadOnlyList<string> Node(string opType, IReadOnlyList<string> inputs, int outputCount, params AttributeProto[] attributes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        RequireInputs(opType, inputs);
        var outputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            outputs[i] = UniqueName(opType);
            _values.Add(outputs[i]);
        }
        return AddNode(opType, inputs, outputs, attributes);
    }

    /// <summary>Adds a node whose outputs get the given names (each must be new) and returns them.</summary>
    public IReadOnlyList<string> Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params AttributeProto[] attributes)
    {
        RequireInputs(opType, inputs);
        if (outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Count)
            throw new ArgumentException($"{opType} lists an output name twice ({string.Join(", ", outputs)}): give each output its own name.");
        foreach (var output in outputs.Where(o => _values.Contains(o)))
            throw new ArgumentException($"The name '{output}' (for an output of {opType}) is already used in this graph: choose another name.");
        foreach (var output in outputs)
            Claim(output, $"output of {opType}");
        return AddNode(opType, inputs, outputs, attributes);
    }

    /// <summary>
    /// Returns a name starting with <paramref name="prefix"/> that nothing in the graph uses and
    /// reserves it, e.g. to name the outputs of a node added with explicit output names.
    /// </summary>
    public string UniqueName(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var suffix = _nextSuffix.GetValueOrDefault(prefix);
        string name;
        do name = $"{prefix}_{suffix++}";
        while (_names.Contains(name));
        _nextSuffix[prefix] = suffix;
        _names.Add(name);
        return name;
    }

    /// <summary>The finished model: IR version 8, the default-domain opset, graph and metadata.</summary>
    /// <exception cref="InvalidOperationException">The graph declares no output.</exception>
    public ModelProto Build()
    {
        if (_graph.Output.Count == 0)
            throw new InvalidOperationException("The graph has no outputs: declare at least one with Output(...).");
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            Graph = _graph.Clone(),
        };
        if (ProducerVersion is not null) model.ProducerVersion = ProducerVersion;
        if (DocString is not null) model.DocString = DocString;
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in Metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>The serialized model (<see cref="Build"/> then protobuf encoding).</summary>
    public byte[] ToByteArray() => Build().ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/> atomically (a temporary file renamed into place).</summary>
    public void Save(string path) => Build().Save(path);

    // Checked before any output name is claimed, so a refused node leaves no trace.
    private void RequireInputs(string opType, IReadOnlyList<string> inputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        foreach (var input in inputs)
            if (input.Length > 0) RequireKnown(input, opType);
    }

    private IReadOnlyList<string> AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName($"{opType}_node") };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return outputs;
    }

    private void Claim(string name, string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _names.Add(name);
        if (!_values.Add(name))
            throw new ArgumentException($"The name '{name}' (for an {role}) is already used in this graph: choose another name.", nameof(name));
    }

    private void RequireKnown(string value, string usedBy)
    {
        if (!_values.Contains(value))
            throw new ArgumentException($"{usedBy} uses '{value}', which is not an input, initializer or node output of this graph: create it first.");
    }

    private static ValueInfoProto ValueInfo(string name, ElementType type, Dim[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            var d = new TensorShapeProto.Types.Dimension();
            if (dim.Size is { } size) d.DimValue = size;
            else if (dim.Symbol is { } symbol) d.DimParam = symbol;
            tensorShape.Dim.Add(d);
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type.ToProto(), Shape = tensorShape } },
        };
    }
}
