using Diffusion.Torch;
using Diffusion.Torch.Modules;

namespace Diffusion.Training.Networks;

/// <summary>
/// A noise predictor for low-dimensional data: an MLP with SiLU activations conditioned on the
/// timestep through <see cref="TimeEmbedding"/>. Add mode: h₁ = SiLU(layers.0(x) + e), hₖ = SiLU(layers.k(hₖ₋₁) + e);
/// Concat mode: h₁ = SiLU(layers.0([x, e])), hₖ = SiLU(layers.k(hₖ₋₁)); output = out(h). Accepts [N, D] or
/// [N, D, 1, 1] (the image layout of the runtime's model contract) and returns the same shape.
/// Parameter names: <c>time_embedding.*</c>, <c>layers.{k}.*</c>, <c>out.*</c>.
/// </summary>
public sealed class MlpDenoiser : Module
{
    /// <summary>Builds the network; <paramref name="generator"/> (or the global generator) draws the initial weights.</summary>
    public MlpDenoiser(MlpDenoiserConfig config, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        bool add = config.TimeConditioning == TimeConditioning.Add;
        long timeWidth = add ? config.HiddenWidth : config.TimeEmbeddingDim;
        time_embedding = RegisterModule("time_embedding", new TimeEmbedding(config.TimeEmbeddingDim, timeWidth, generator));
        layers = RegisterModule("layers", new ModuleList<Linear>());
        long inputWidth = config.DataDimension + (add ? 0 : config.TimeEmbeddingDim);
        layers.Add(new Linear(inputWidth, config.HiddenWidth, generator: generator));
        for (int k = 1; k < config.Depth; k++) layers.Add(new Linear(config.HiddenWidth, config.HiddenWidth, generator: generator));
        @out = RegisterModule("out", new Linear(config.HiddenWidth, config.DataDimension, generator: generator));
    }

    /// <summary>The configuration the network was built from.</summary>
    public MlpDenoiserConfig Config { get; }

    /// <summary>Sinusoidal timestep embedding and its MLP.</summary>
    public TimeEmbedding time_embedding { get; }

    /// <summary>The hidden layers.</summary>
    public ModuleList<Linear> layers { get; }

    /// <summary>The output layer.</summary>
    public Linear @out { get; }

    /// <summary>Predicts the noise for <paramref name="sample"/> [N, D] or [N, D, 1, 1] at <paramref name="timestep"/> [N] (or [1]).</summary>
    public Tensor forward(Tensor sample, Tensor timestep)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(timestep);
        var shape = sample.shape;
        int d = Config.DataDimension;
        bool flat = shape.Length == 2 && shape[1] == d;
        bool image = shape.Length == 4 && shape[1] == d && shape[2] == 1 && shape[3] == 1;
        if (!flat && !image)
        {
            throw new ArgumentException($"MlpDenoiser expects a sample shaped [N, {d}] or [N, {d}, 1, 1], got [{string.Join(", ", shape)}]", nameof(sample));
        }
        long n = shape[0];
        var tShape = timestep.shape;
        if (tShape.Length != 1 || (tShape[0] != n && tShape[0] != 1))
        {
            throw new ArgumentException($"timestep must be shaped [{n}] or [1], got [{string.Join(", ", tShape)}]", nameof(timestep));
        }

        using var scope = torch.NewDisposeScope();
        var t = timestep.dtype is ScalarType.Float32 or ScalarType.Float64 ? timestep : timestep.to(ScalarType.Float32);
        if (tShape[0] != n) t = t.expand(n);
        var embedding = time_embedding.forward(t);
        var h = sample.reshape(n, d);
        if (Config.TimeConditioning == TimeConditioning.Add)
        {
            foreach (var layer in layers) h = (layer.forward(h) + embedding).silu();
        }
        else
        {
            h = torch.cat([h, embedding], 1);
            foreach (var layer in layers) h = layer.forward(h).silu();
        }
        var output = @out.forward(h);
        return (image ? output.reshape(n, d, 1, 1) : output).MoveToOuterDisposeScope();
    }
}
