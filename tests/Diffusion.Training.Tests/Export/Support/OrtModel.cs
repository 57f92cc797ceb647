using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Training.Tests.Export.Support;

/// <summary>An exported model in an ONNX Runtime CPU session, fed by input name.</summary>
internal sealed class OrtModel(string path) : IDisposable
{
    private readonly InferenceSession session = new(path);

    public InferenceSession Session => session;

    /// <summary>out_sample for float32 <c>sample</c> [N, C, H, W], float32 <c>timestep</c> [N] and optional int64 <c>class_labels</c> [N].</summary>
    public float[] Run(float[] sample, long[] sampleShape, float[] timestep, long[]? classLabels)
    {
        long n = sampleShape[0];
        var inputs = new Dictionary<string, OrtValue>
        {
            ["sample"] = OrtValue.CreateTensorValueFromMemory(sample, sampleShape),
            ["timestep"] = OrtValue.CreateTensorValueFromMemory(timestep, [n]),
        };
        if (classLabels is not null) inputs["class_labels"] = OrtValue.CreateTensorValueFromMemory(classLabels, [n]);
        try
        {
            using var options = new RunOptions();
            using var outputs = session.Run(options, inputs, ["out_sample"]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var value in inputs.Values) value.Dispose();
        }
    }

    public void Dispose() => session.Dispose();
}
