namespace Diffusion.Training.Data.Tests;

public class DatasetTests
{
    private static Dataset ThreeSamples() =>
        new("three", [0, 1, 10, 11, 20, 21], [3, 2, 1, 1], new DataRange(0, 21), [2, 0, 1], classCount: 3);

    [Fact]
    public void Gather_copies_the_samples_and_labels_at_the_indices_in_order()
    {
        Dataset dataset = ThreeSamples();
        var samples = new float[4];
        var labels = new int[2];

        dataset.Gather([2, 0], samples, labels);

        Assert.Equal([20f, 21f, 0f, 1f], samples);
        Assert.Equal([1, 2], labels);
    }

    [Fact]
    public void Dimensions_come_from_the_shape()
    {
        Dataset dataset = ThreeSamples();

        Assert.Equal((3, 2, 1, 1, 2), (dataset.Count, dataset.Channels, dataset.Height, dataset.Width, dataset.SampleSize));
        Assert.Equal([5, 2, 1, 1], dataset.BatchShape(5));
        Assert.Equal([10f, 11f], dataset.Sample(1).ToArray());
    }

    [Fact]
    public void A_shape_that_does_not_match_the_data_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new Dataset("bad", new float[5], [3, 2, 1, 1], DataRange.Symmetric));
        Assert.Contains("holds 6 values but the data has 5", error.Message);
    }

    [Fact]
    public void A_label_outside_the_class_count_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new Dataset("bad", new float[2], [2, 1, 1, 1], DataRange.Symmetric, [0, 3], classCount: 3));
        Assert.Contains("Label 3 of sample 1", error.Message);
    }

    [Fact]
    public void Asking_unlabelled_data_for_labels_is_refused()
    {
        var dataset = new Dataset("plain", new float[2], [2, 1, 1, 1], DataRange.Symmetric);
        var error = Assert.Throws<ArgumentException>(() => dataset.Gather([0], new float[1], new int[1]));
        Assert.Contains("has no labels", error.Message);
    }

    [Fact]
    public void The_range_of_values_is_their_minimum_and_maximum()
    {
        DataRange range = DataRange.Of([0.5f, -2f, 3f]);
        Assert.Equal((-2f, 3f), (range.Min, range.Max));
        Assert.Throws<ArgumentException>(() => DataRange.Of([1f, float.NaN]));
    }
}
