using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;
using Diffusion.Runtime.Models;

namespace Diffusion.Runtime.Tests.Support;

/// <summary>
/// An exact Gaussian-mixture ONNX model of the three-component test mixture, shaped as a trained
/// model would be: its scheduler config (JSON, read the way the runtime reads a config file) and
/// the element types and timestep shape of its inputs.
/// </summary>
internal sealed record OnnxMixtureCase(
    string Name,
    string ConfigJson,
    ElementType SampleType = ElementType.Float32,
    ElementType TimestepType = ElementType.Float32,
    TimestepShape TimestepShape = TimestepShape.Batch)
{
    /// <summary>The config the model embeds.</summary>
    public SchedulerConfig Config => SchedulerConfig.Parse(ConfigJson, Name);

    /// <summary>The builder's options for this case.</summary>
    public GaussianMixtureModelOptions Options(bool classConditional = false) => new()
    {
        SampleShape = [2, 1, 1],
        Scheduler = Config,
        SampleType = SampleType,
        TimestepType = TimestepType,
        TimestepShape = TimestepShape,
        ClassConditional = classConditional,
    };

    /// <summary>Builds the model into <paramref name="path"/> (config embedded) and returns the path.</summary>
    public string Save(string path, bool classConditional = false)
    {
        GaussianMixtureModel.Build(OnnxMixtures.Components(OnnxMixtures.Mixture), Options(classConditional)).Save(path);
        return path;
    }

    /// <summary>The same mixture as an exact, double-precision model, walking the same paths.</summary>
    public ExactMixtureModel Exact() =>
        new(OnnxMixtures.Mixture, ConfigJson) { IntegerTimesteps = TimestepType == ElementType.Int64 };

    public override string ToString() => Name;
}
