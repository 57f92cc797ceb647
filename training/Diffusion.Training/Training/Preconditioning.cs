using Diffusion.Runtime;

namespace Diffusion.Training.Training;

/// <summary>
/// Karras et al. 2022's preconditioning (EDM, section 5 and Table 1) around a network, for
/// <c>x = alpha x0 + sigma eps</c>. With the noise level as a variance-exploding one, s = sigma / alpha, and x0's
/// standard deviation sigma_data:
/// <list type="bullet">
/// <item>input: the network sees <c>c_in x / alpha</c> with <c>c_in = 1 / sqrt(s^2 + sigma_data^2)</c>, i.e.
/// <c>x / sqrt(sigma^2 + alpha^2 sigma_data^2)</c>: unit variance at every noise level. Without it a
/// variance-exploding model's inputs reach sigma_max (about 30 for MNIST) in scale.</item>
/// <item>output (when <see cref="Output"/>): the network's output F becomes the clean-sample estimate
/// <c>D = c_skip x / alpha + c_out F</c> with <c>c_skip = sigma_data^2 / (s^2 + sigma_data^2)</c> and
/// <c>c_out = s sigma_data / sqrt(s^2 + sigma_data^2)</c> (EDM eq. 7), and it is trained on
/// <c>F = (x0 - c_skip x / alpha) / c_out</c> with unit weight (EDM eq. 8 with lambda = 1 / c_out^2). F is
/// epsilon-like at small noise and x0-like at large noise, so its errors are never multiplied by sigma.</item>
/// </list>
/// </summary>
/// <remarks>
/// Preconditioning is part of the network's function, not of the model contract: training and previews apply it
/// around the forward pass, and the exporter puts the same arithmetic into the ONNX graph, so the exported model
/// still takes the raw x_t and outputs one of the runtime's prediction types.
/// </remarks>
/// <param name="SigmaData">sigma_data, the data's standard deviation (EDM uses 0.5 for images in [-1, 1]).</param>
/// <param name="Output">Also precondition the output (c_skip, c_out): the network then predicts the clean sample.</param>
public sealed record Preconditioning(double SigmaData, bool Output = false)
{
    /// <summary>What the network's input is multiplied by: <c>c_in / alpha</c>.</summary>
    public double InputFactor(double alpha, double sigma) => 1 / Math.Sqrt(sigma * sigma + alpha * alpha * SigmaData * SigmaData);

    /// <summary>What the raw sample is multiplied by in D: <c>c_skip / alpha = alpha sigma_data^2 / (sigma^2 + alpha^2 sigma_data^2)</c>.</summary>
    public double SkipFactor(double alpha, double sigma) => alpha * SigmaData * SigmaData / (sigma * sigma + alpha * alpha * SigmaData * SigmaData);

    /// <summary>What the network's output is multiplied by in D: <c>c_out = sigma sigma_data / sqrt(sigma^2 + alpha^2 sigma_data^2)</c>.</summary>
    public double OutputFactor(double alpha, double sigma) => sigma * SigmaData * InputFactor(alpha, sigma);

    /// <summary>Throws unless sigma_data is positive and finite.</summary>
    /// <exception cref="DiffusionException">It is not; the message names the option.</exception>
    public void Validate()
    {
        if (!(SigmaData > 0 && double.IsFinite(SigmaData)))
            throw new DiffusionException($"the preconditioning's data standard deviation (--sigma-data) must be positive and finite, got {SigmaData}.");
    }
}
