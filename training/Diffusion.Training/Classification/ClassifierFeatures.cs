using Diffusion.Onnx.Graphs;
using Diffusion.Runtime.IO;
using Diffusion.Training.Data;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Classification;

/// <summary>
/// The reference features file of the runtime's evaluation: a float32 .npy [N, FeatureDim] whose row i holds the
/// features of image i of the dataset, in the dataset's own order.
/// </summary>
public static class ClassifierFeatures
{
    /// <summary>Computes the features of every image of <paramref name="dataset"/> and writes them to <paramref name="path"/>
    /// atomically (its folder is created). Returns the array's shape.</summary>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public static int[] Write(DigitClassifier network, Dataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var features = ClassifierInference.Predict(network, dataset).Features;
        int[] shape = [dataset.Count, network.Config.FeatureDim];
        ModelFiles.CreateFolderOf(path);
        NpyFile.Write(path, features, shape);
        return shape;
    }
}
