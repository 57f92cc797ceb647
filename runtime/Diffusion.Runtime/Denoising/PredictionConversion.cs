using System.Numerics.Tensors;
using Diffusion.Runtime.Schedules;

namespace Diffusion.Runtime.Denoising;

/// <summary>
/// Turns a network's raw output into the clean-sample estimate x0, whatever the network predicts,
/// so that every sampler runs on every model. All from <c>x = alpha x0 + sigma eps</c>.
/// </summary>
public static class PredictionConversion
{
    /// <summary>Names accepted in <c>prediction_type</c>.</summary>
    public static readonly IReadOnlyList<string> Names = ["epsilon", "sample", "v_prediction", "score"];

    /// <summary>Parses a diffusers <c>prediction_type</c>.</summary>
    public static PredictionType Parse(string name) => name switch
    {
        "epsilon" => PredictionType.Epsilon,
        "sample" => PredictionType.Sample,
        "v_prediction" => PredictionType.VPrediction,
        "score" => PredictionType.Score,
        _ => throw new DiffusionModelException($"unknown prediction_type '{name}': use one of {string.Join(", ", Names)}."),
    };

    /// <summary>The diffusers name of a prediction type.</summary>
    public static string Name(this PredictionType type) => Names[(int)type];

    /// <summary>Writes x0 computed from the model output into <paramref name="denoised"/> (which may alias <paramref name="output"/>).</summary>
    public static void ToDenoised(PredictionType type, ReadOnlySpan<float> x, ReadOnlySpan<float> output, TimePoint point, Span<float> denoised)
    {
        float a = (float)point.Alpha, s = (float)point.Sigma;
        switch (type)
        {
            case PredictionType.Epsilon: // x0 = (x - sigma eps) / alpha
                TensorPrimitives.MultiplyAdd(output, -s, x, denoised);
                TensorPrimitives.Multiply(denoised, 1 / a, denoised);
                break;
            case PredictionType.Sample:
                output.CopyTo(denoised);
                break;
            case PredictionType.VPrediction: // x0 = (alpha x - sigma v) / (alpha^2 + sigma^2)
                float norm = (float)(1 / (point.Alpha * point.Alpha + point.Sigma * point.Sigma));
                TensorPrimitives.Multiply(output, -s * norm, denoised);
                TensorPrimitives.MultiplyAdd(x, a * norm, denoised, denoised);
                break;
            case PredictionType.Score: // Tweedie: x0 = (x + sigma^2 score) / alpha
                TensorPrimitives.MultiplyAdd(output, s * s, x, denoised);
                TensorPrimitives.Multiply(denoised, 1 / a, denoised);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }
}
