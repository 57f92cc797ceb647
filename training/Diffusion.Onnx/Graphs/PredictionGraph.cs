using Diffusion.Runtime.Denoising;

namespace Diffusion.Onnx.Graphs;

/// <summary>
/// Rewrites a network's output from one parameterisation into another inside the graph, from
/// <c>x = alpha x0 + sigma eps</c> (the relations the runtime's <see cref="PredictionConversion"/> uses).
/// A network trained to predict epsilon can so be shipped as a score model: its output divided by
/// -sigma is NCSN's <c>s(x, sigma) = net(x, sigma) / sigma</c> parameterisation (Song &amp; Ermon 2020,
/// "Improved techniques", technique 3), which keeps the network's output of order one at every noise level.
/// </summary>
public static class PredictionGraph
{
    /// <summary>
    /// Adds the nodes turning <paramref name="output"/> (a <paramref name="from"/> prediction for the noisy
    /// <paramref name="sample"/> [N, ...]) into a <paramref name="to"/> prediction, and returns its name.
    /// <paramref name="alpha"/> and <paramref name="sigma"/> are the noise level per sample, [N] (see <see cref="NoiseLevelGraph"/>).
    /// </summary>
    public static string Convert(OnnxModelBuilder g, string output, PredictionType from, PredictionType to, string sample, string alpha, string sigma, int sampleRank)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (from == to) return output;
        long[] perSample = [-1, .. Enumerable.Repeat(1L, sampleRank - 1)];
        var a = g.Reshape(alpha, perSample);
        var s = g.Reshape(sigma, perSample);
        var eps = Epsilon(g, output, from, sample, a, s);
        string Denoised() => g.Div(g.Sub(sample, g.Mul(s, eps)), a);
        return to switch
        {
            PredictionType.Epsilon => eps,
            PredictionType.Sample => Denoised(),
            PredictionType.VPrediction => g.Sub(g.Mul(a, eps), g.Mul(s, Denoised())),
            PredictionType.Score => g.Neg(g.Div(eps, s)), // score = -eps / sigma
            _ => throw new ArgumentOutOfRangeException(nameof(to)),
        };
    }

    private static string Epsilon(OnnxModelBuilder g, string output, PredictionType from, string x, string a, string s) => from switch
    {
        PredictionType.Epsilon => output,
        PredictionType.Sample => g.Div(g.Sub(x, g.Mul(a, output)), s), // eps = (x - alpha x0) / sigma
        // eps = (alpha v + sigma x) / (alpha^2 + sigma^2)
        PredictionType.VPrediction => g.Div(g.Add(g.Mul(a, output), g.Mul(s, x)), g.Add(g.Mul(a, a), g.Mul(s, s))),
        PredictionType.Score => g.Neg(g.Mul(s, output)), // eps = -sigma score
        _ => throw new ArgumentOutOfRangeException(nameof(from)),
    };
}
