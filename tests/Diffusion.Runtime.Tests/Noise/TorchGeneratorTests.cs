using Diffusion.Runtime.Noise;

namespace Diffusion.Runtime.Tests.Noise;

/// <summary>
/// Published values of the engine and of torch (tests/Diffusion.Torch.Tests compares with libtorch itself),
/// and the properties a sampler relies on.
/// </summary>
public class TorchGeneratorTests
{
    [Fact]
    public void EngineGivesTheReferenceMt19937Outputs()
    {
        // The C++ standard's check of std::mt19937: seeded 5489, the first output and the 10000th.
        var engine = new Mt19937(5489);
        Assert.Equal(3499211612u, engine.Next());
        for (int i = 2; i < 10000; i++) engine.Next();
        Assert.Equal(4123659995u, engine.Next());
    }

    [Fact]
    public void SeedZeroGivesTorchsWellKnownFirstValues()
    {
        // torch.manual_seed(0); torch.rand(2) -> [0.4963, 0.7682]
        var uniforms = new TorchGenerator(0);
        Assert.Equal(0.4963, uniforms.NextFloat(), 4);
        Assert.Equal(0.7682, uniforms.NextFloat(), 4);
        // torch.manual_seed(0); torch.randn(2, 3) -> [[1.5410, -0.2934, -2.1788], [0.5684, -1.0845, -1.3986]]
        var normals = new float[6];
        new TorchGenerator(0).Fill(normals);
        double[] expected = [1.5410, -0.2934, -2.1788, 0.5684, -1.0845, -1.3986];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], normals[i], 4);
    }

    [Fact]
    public void ALongStreamIsStandardNormal()
    {
        var generator = new TorchGenerator(11);
        var values = new float[768];
        double sum = 0, sumSq = 0;
        const int draws = 1000;
        for (int d = 0; d < draws; d++)
        {
            generator.Fill(values);
            foreach (float z in values) { sum += z; sumSq += z * z; }
        }
        const double n = 768.0 * draws;
        Assert.InRange(sum / n, -0.005, 0.005);
        Assert.InRange(sumSq / n, 0.99, 1.01);
    }

    [Fact]
    public void SuccessiveFillsContinueOneStream()
    {
        var a = new TorchGenerator(5);
        var first = new float[768];
        var second = new float[768];
        a.Fill(first);
        a.Fill(second);
        Assert.NotEqual(first, second);
        var b = new TorchGenerator(5);
        var again = new float[768];
        b.Fill(again);
        Assert.Equal(first, again);
    }

    [Fact]
    public void FillingAllocatesNothingAfterWarmUp()
    {
        var generator = new TorchGenerator(1);
        var values = new float[1000];
        var small = new float[5];
        generator.Fill(values);
        generator.Fill(small);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            generator.Fill(values);
            generator.Fill(small);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
