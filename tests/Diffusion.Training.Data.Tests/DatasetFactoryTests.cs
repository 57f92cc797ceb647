using Diffusion.Runtime.IO;
using Diffusion.Training.Data.Mnist;

namespace Diffusion.Training.Data.Tests;

public sealed class DatasetFactoryTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("ring", 8)]
    [InlineData("moons", 2)]
    [InlineData("SwissRoll", 0)]
    [InlineData("checkerboard", 0)]
    public void Toy_names_give_toy_sets_of_the_requested_size_and_seed(string name, int classes)
    {
        var options = new DatasetOptions { ToyCount = 300, Seed = 4 };

        Dataset dataset = DatasetFactory.Create(name, options);

        Assert.Equal(name.ToLowerInvariant(), dataset.Name);
        Assert.Equal([300, 2, 1, 1], dataset.Shape);
        Assert.Equal(classes, dataset.ClassCount);
        Assert.Equal(DatasetFactory.Toy(name)!.Generate(300, 4).Data, dataset.Data);
    }

    [Fact]
    public void A_npy_path_loads_that_file_with_its_labels()
    {
        string data = folder.File("mine.npy");
        string labels = folder.File("mine-labels.npy");
        NpyFile.Write(data, [1, 2, 3, 4], [2, 2]);
        NpyFile.Write(labels, [1, 0], [2]);

        Dataset dataset = DatasetFactory.Create(data, new DatasetOptions { LabelsPath = labels });

        Assert.Equal([2, 2, 1, 1], dataset.Shape);
        Assert.Equal([1, 0], dataset.Labels!);
    }

    [Fact]
    public void Mnist_is_read_from_the_configured_package()
    {
        var options = new DatasetOptions { Mnist = new MnistOptions { PackageFolder = folder.File("no-package") } };

        var error = Assert.Throws<DatasetException>(() => DatasetFactory.Create("mnist", options));
        Assert.Contains("no-package", error.Message);
    }

    [Fact]
    public void An_unknown_name_lists_the_choices()
    {
        var error = Assert.Throws<DatasetException>(() => DatasetFactory.Create("cifar"));
        Assert.Equal("Unknown dataset 'cifar'; choose one of mnist, ring, moons, swissroll, checkerboard, or the path of a .npy file.", error.Message);
    }
}
