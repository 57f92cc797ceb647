using Diffusion.Training.Export;
using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Training.Tests.Classification;

/// <summary>An exported classifier in an ONNX Runtime CPU session, fed and read by the contract's names.</summary>
internal sealed class ClassifierSession(string path) : IDisposable
{
    public InferenceSession Session { get; } = new(path);

    /// <summary>The <c>logits</c> and <c>features</c> of <c>image</c> [N, C, H, W].</summary>
    public (float[] Logits, float[] Features) Run(float[] images, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(images, shape);
        using var options = new RunOptions();
        using var outputs = Session.Run(options, new Dictionary<string, OrtValue> { [ClassifierContract.Image] = input }, [ClassifierContract.Logits, ClassifierContract.Features]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    public Dictionary<string, string> Metadata => new(Session.ModelMetadata.CustomMetadataMap);

    public void Dispose() => Session.Dispose();
}
