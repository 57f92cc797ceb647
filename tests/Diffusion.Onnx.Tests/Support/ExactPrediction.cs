using Diffusion.Runtime.Denoising;
using Diffusion.Testing;

namespace Diffusion.Onnx.Tests.Support;

internal static class ExactPrediction
{
    /// <summary>What a perfect model of <paramref name="mixture"/> predicting <paramref name="prediction"/> outputs at x.</summary>
    public static double[] Of(GaussianMixture mixture, PredictionType prediction, double[] x, double alpha, double sigma) => prediction switch
    {
        PredictionType.Epsilon => mixture.Epsilon(x, alpha, sigma),
        PredictionType.Sample => mixture.Denoised(x, alpha, sigma),
        PredictionType.VPrediction => mixture.VPrediction(x, alpha, sigma),
        PredictionType.Score => mixture.Score(x, alpha, sigma),
        _ => throw new ArgumentOutOfRangeException(nameof(prediction)),
    };
}
