using Diffusion.Onnx.Graphs;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Diffusion.Onnx.Tests.Support;

/// <summary>Runs built models in ONNX Runtime's CPU provider, converting to and from double.</summary>
internal static class OrtRunner
{
    /// <summary>An input tensor given in double, fed as <see cref="Type"/> with <see cref="Shape"/>.</summary>
    public sealed record Input(string Name, ElementType Type, double[] Values, long[] Shape);

    /// <summary>Runs <paramref name="model"/> and returns its first output as doubles.</summary>
    public static double[] Run(ModelProto model, params Input[] inputs)
    {
        using var session = new InferenceSession(model.ToByteArray());
        var values = inputs.Select(ToOrtValue).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, session.OutputNames);
            var output = outputs[0];
            return output.GetTensorTypeAndShape().ElementDataType switch
            {
                TensorElementType.Float => output.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(),
                TensorElementType.Float16 => output.GetTensorDataAsSpan<Float16>().ToArray().Select(v => (double)v.ToFloat()).ToArray(),
                TensorElementType.Int64 => output.GetTensorDataAsSpan<long>().ToArray().Select(v => (double)v).ToArray(),
                var other => throw new InvalidOperationException($"unexpected output type {other}"),
            };
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    /// <summary>The value <paramref name="value"/> becomes when stored as <paramref name="type"/>.</summary>
    public static double Quantize(double value, ElementType type) => type switch
    {
        ElementType.Float32 => (float)value,
        ElementType.Float16 => ((Float16)(float)value).ToFloat(),
        ElementType.Int64 => Math.Round(value),
        _ => value,
    };

    private static OrtValue ToOrtValue(Input input) => input.Type switch
    {
        ElementType.Float32 => OrtValue.CreateTensorValueFromMemory(input.Values.Select(v => (float)v).ToArray(), input.Shape),
        ElementType.Float16 => OrtValue.CreateTensorValueFromMemory(input.Values.Select(v => (Float16)(float)v).ToArray(), input.Shape),
        ElementType.Int64 => OrtValue.CreateTensorValueFromMemory(input.Values.Select(v => (long)v).ToArray(), input.Shape),
        _ => throw new ArgumentOutOfRangeException(nameof(input), input.Type, "unsupported input type"),
    };
}
