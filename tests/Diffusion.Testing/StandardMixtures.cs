namespace Diffusion.Testing;

/// <summary>The Gaussian mixtures the tests share, each defined once.</summary>
public static class StandardMixtures
{
    /// <summary>Three unequal 2-D components, scale ~1: the exact model of the sampler tests and of every ONNX test model.</summary>
    public static GaussianMixture ThreeComponents { get; } = new(
        [[-1.0, 0.0], [0.6, 0.8], [0.6, -0.8]], [0.15, 0.1, 0.2], [0.5, 0.3, 0.2]);

    /// <summary>Three components in D = 4 with unequal stds and weights (samples shaped [1, 2, 2]).</summary>
    public static GaussianMixture Uneven { get; } = new(
        [[1, 0, -1, 0.5], [-1, 1, 0, 0], [0, -0.5, 1, -1]],
        [0.1, 0.3, 0.2],
        [0.5, 0.3, 0.2]);

    /// <summary>Eight components on the unit circle with std 0.1: the training data of every shipped ring model (models/README.md).</summary>
    public static GaussianMixture Ring { get; } = GaussianMixture.Ring(8, radius: 1, std: 0.1);
}
