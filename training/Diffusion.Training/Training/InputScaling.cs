using Diffusion.Runtime;

namespace Diffusion.Training.Training;

/// <summary>
/// Scales a network's noisy input to unit variance at every noise level: the network sees
/// <c>c_in x_t</c> instead of <c>x_t = alpha x0 + sigma eps</c>, with
/// <c>c_in = 1 / sqrt(alpha^2 sigma_data^2 + sigma^2)</c>, the inverse standard deviation of x_t when x0 has
/// standard deviation sigma_data and eps is standard normal. For alpha = 1 this is Karras et al. 2022's
/// input preconditioning (EDM, Table 1: c_in = 1 / sqrt(sigma^2 + sigma_data^2)); for a variance-preserving
/// process with sigma_data = 1 it is 1. Without it a variance-exploding model's inputs reach sigma_max
/// (about 30 for MNIST) in scale, where its first layers were tuned for one.
/// </summary>
/// <remarks>
/// The scaling is part of the network's function, not of the model contract: training multiplies the noisy
/// batch by <see cref="Factor"/> before the forward pass, and the exporter puts the same multiplication at the
/// head of the ONNX graph, so the exported model still takes the raw x_t the runtime feeds it.
/// </remarks>
/// <param name="DataStd">sigma_data, the data's standard deviation (EDM uses 0.5 for images in [-1, 1]).</param>
public sealed record InputScaling(double DataStd)
{
    /// <summary>c_in at the noise level (<paramref name="alpha"/>, <paramref name="sigma"/>).</summary>
    public double Factor(double alpha, double sigma) => 1 / Math.Sqrt(alpha * alpha * DataStd * DataStd + sigma * sigma);

    /// <summary>Throws unless the data's standard deviation is positive and finite.</summary>
    /// <exception cref="DiffusionException">It is not; the message names the option.</exception>
    public void Validate()
    {
        if (!(DataStd > 0 && double.IsFinite(DataStd)))
            throw new DiffusionException($"the input scaling's data standard deviation (--sigma-data) must be positive and finite, got {DataStd}.");
    }
}
