using Diffusion.Runtime.IO;
using Diffusion.Training.Data.Files;

namespace Diffusion.Training.Data.Tests.Files;

public sealed class NpyDatasetTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Save(string name, float[] data, params int[] shape)
    {
        string path = folder.File(name);
        NpyFile.Write(path, data, shape);
        return path;
    }

    [Fact]
    public void A_rank_4_array_keeps_its_shape_and_its_range_is_its_extremes()
    {
        float[] data = [.. Enumerable.Range(0, 2 * 3 * 4 * 5).Select(i => i * 0.5f - 3)];
        Dataset dataset = NpyDataset.Load(Save("images.npy", data, 2, 3, 4, 5));

        Assert.Equal([2, 3, 4, 5], dataset.Shape);
        Assert.Equal(data, dataset.Data);
        Assert.Equal(new DataRange(-3, 56.5f), dataset.Range);
        Assert.Equal("images", dataset.Name);
        Assert.Null(dataset.Labels);
    }

    [Fact]
    public void A_rank_2_array_becomes_N_D_1_1()
    {
        Dataset dataset = NpyDataset.Load(Save("points.npy", [1, 2, 3, 4, 5, 6], 3, 2));
        Assert.Equal([3, 2, 1, 1], dataset.Shape);
    }

    [Fact]
    public void Labels_are_read_as_class_indices()
    {
        string data = Save("points.npy", new float[8], 4, 2);
        string labels = Save("labels.npy", [0, 2, 1, 2], 4);

        Dataset dataset = NpyDataset.Load(data, labels);

        Assert.Equal([0, 2, 1, 2], dataset.Labels!);
        Assert.Equal(3, dataset.ClassCount);
    }

    [Fact]
    public void A_missing_data_file_is_named_in_the_error()
    {
        string path = folder.File("absent.npy");
        var error = Assert.Throws<DatasetException>(() => NpyDataset.Load(path));
        Assert.Contains($"'{path}' does not exist", error.Message);
    }

    [Fact]
    public void A_missing_labels_file_is_named_in_the_error()
    {
        string labels = folder.File("absent-labels.npy");
        var error = Assert.Throws<DatasetException>(() => NpyDataset.Load(Save("points.npy", new float[4], 2, 2), labels));
        Assert.Contains($"labels file '{labels}' does not exist", error.Message);
    }

    [Fact]
    public void A_rank_3_array_is_refused_with_its_shape()
    {
        var error = Assert.Throws<DatasetException>(() => NpyDataset.Load(Save("cube.npy", new float[8], 2, 2, 2)));
        Assert.Contains("shape (2, 2, 2), rank 3", error.Message);
        Assert.Contains("[N, C, H, W] or [N, D]", error.Message);
    }

    [Fact]
    public void A_label_count_that_differs_from_the_sample_count_is_refused()
    {
        string data = Save("points.npy", new float[6], 3, 2);
        string labels = Save("labels.npy", [0, 1], 2);

        var error = Assert.Throws<DatasetException>(() => NpyDataset.Load(data, labels));
        Assert.Contains("hold 2 labels but the dataset has 3 samples", error.Message);
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Labels_that_are_not_class_indices_are_refused(float bad)
    {
        string data = Save("points.npy", new float[6], 3, 2);
        string labels = Save("labels.npy", [0, bad, 1], 3);

        var error = Assert.Throws<DatasetException>(() => NpyDataset.Load(data, labels));
        Assert.Contains("at index 1", error.Message);
        Assert.Contains("class indices", error.Message);
    }

    [Fact]
    public void Labels_shaped_as_a_matrix_are_refused()
    {
        string data = Save("points.npy", new float[4], 2, 2);
        string labels = Save("labels.npy", new float[4], 2, 2);

        var error = Assert.Throws<DatasetException>(() => NpyDataset.Load(data, labels));
        Assert.Contains("shaped [N] or [N, 1]", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_npy_is_refused_with_its_name()
    {
        string path = folder.File("text.npy");
        File.WriteAllText(path, "not an array");

        var error = Assert.Throws<DatasetException>(() => NpyDataset.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not a .npy file", error.Message);
    }

    [Fact]
    public void Non_finite_values_are_refused()
    {
        var error = Assert.Throws<DatasetException>(() => NpyDataset.Load(Save("points.npy", [0, float.PositiveInfinity], 1, 2)));
        Assert.Contains("flat index 1", error.Message);
    }
}
