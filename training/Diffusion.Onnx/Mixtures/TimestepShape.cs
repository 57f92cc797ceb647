namespace Diffusion.Onnx.Mixtures;

/// <summary>The declared shape of a model's <c>timestep</c> input.</summary>
public enum TimestepShape
{
    /// <summary><c>[N]</c>: one timestep per sample.</summary>
    Batch,
    /// <summary><c>[1]</c>: one timestep shared by the batch.</summary>
    One,
    /// <summary>A rank-0 scalar shared by the batch.</summary>
    Scalar,
}
