using Diffusion.Runtime.IO;

namespace Diffusion.Training.Data.Files;

/// <summary>
/// A dataset from the user's own .npy array: [N, C, H, W], or [N, D] taken as [N, D, 1, 1], with
/// optional class labels in a second .npy file of N integral values ([N] or [N, 1]; NumPy
/// integer arrays must be saved as floats, e.g. labels.astype('float32')). The range is the data's
/// own minimum and maximum.
/// </summary>
public static class NpyDataset
{
    /// <summary>Loads <paramref name="path"/> (and <paramref name="labelsPath"/>) as a dataset.</summary>
    /// <param name="path">The samples, a float .npy file.</param>
    /// <param name="labelsPath">The class labels (0, 1, 2, ...), or null for unlabelled data.</param>
    /// <returns>The dataset, named after the file.</returns>
    /// <exception cref="DatasetException">A file is missing or unreadable, or its shape or values do not fit; the message names the file and the fix.</exception>
    public static Dataset Load(string path, string? labelsPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        NpyArray array = Read(path, "dataset");
        int[] shape = array.Shape.Length switch
        {
            2 => [array.Shape[0], array.Shape[1], 1, 1],
            4 => array.Shape,
            _ => throw new DatasetException(
                $"Dataset '{path}' has shape ({string.Join(", ", array.Shape)}), rank {array.Shape.Length}; save it as [N, C, H, W] or [N, D] (reshape with numpy before numpy.save)."),
        };
        if (shape.Any(d => d == 0))
        {
            throw new DatasetException($"Dataset '{path}' has shape ({string.Join(", ", array.Shape)}) with no values; save at least one sample.");
        }

        int bad = Array.FindIndex(array.Data, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new DatasetException($"Dataset '{path}' holds {array.Data[bad]} at flat index {bad}; remove or replace non-finite values.");
        }

        int[]? labels = labelsPath is null ? null : ReadLabels(labelsPath, shape[0]);
        int classCount = labels is null ? 0 : labels.Max() + 1;
        return new Dataset(Path.GetFileNameWithoutExtension(path), array.Data, shape, DataRange.Of(array.Data), labels, classCount);
    }

    private static int[] ReadLabels(string path, int count)
    {
        NpyArray array = Read(path, "labels");
        bool vector = array.Shape.Length == 1 || (array.Shape.Length == 2 && array.Shape[1] == 1);
        if (!vector)
        {
            throw new DatasetException($"Labels '{path}' have shape ({string.Join(", ", array.Shape)}); save one label per sample, shaped [N] or [N, 1].");
        }

        if (array.Shape[0] != count)
        {
            throw new DatasetException($"Labels '{path}' hold {array.Shape[0]} labels but the dataset has {count} samples; save one label per sample, in the same order.");
        }

        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            float value = array.Data[i];
            if (!float.IsFinite(value) || value != MathF.Round(value) || value < 0 || value > int.MaxValue)
            {
                throw new DatasetException($"Labels '{path}' hold {value} at index {i}; labels must be class indices 0, 1, 2, ... (integral values of 0 or more).");
            }

            labels[i] = (int)value;
        }

        return labels;
    }

    private static NpyArray Read(string path, string role)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException($"The {role} file '{path}' does not exist; pass the path of a .npy file saved with numpy.save.");
        }

        try
        {
            return NpyFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException(e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"Cannot read the {role} file '{path}': {e.Message}", e);
        }
    }
}
