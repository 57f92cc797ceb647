using Diffusion.Torch;
using Diffusion.Training.Export;
using Diffusion.Training.Tests.Export.Support;
using Xunit.Abstractions;

namespace Diffusion.Training.Tests.Export;

public class ExportParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [MemberData(nameof(TestNetworks.All), MemberType = typeof(TestNetworks))]
    public void OnnxRuntimeMatchesTheLibtorchForwardAtBatchSizesOneAndThree(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(7);
        using var network = TestNetworks.Create(name, generator);
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        OnnxExporter.Export(network, TestNetworks.Ddpm, path);
        var (shape, classes) = TestNetworks.Signature(network);

        using var model = new OrtModel(path); // one session: the batch dimension is dynamic
        foreach (long batch in new long[] { 1, 3 })
        {
            long[] sampleShape = [batch, .. shape];
            var sample = torch.randn(sampleShape, generator);
            var timestep = torch.rand([batch], generator) * 999;
            // Labels cover the null label (= classes) too.
            var labels = classes == 0 ? null : torch.randint(0, classes + 1, [batch], generator);
            var expected = TestNetworks.Forward(network, sample, timestep, labels).ToArray<float>();
            var actual = model.Run(sample.ToArray<float>(), sampleShape, timestep.ToArray<float>(), labels?.ToArray<long>());

            Assert.Equal(expected.Length, actual.Length);
            double maxAbs = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
            double scale = expected.Max(v => Math.Abs((double)v));
            output.WriteLine($"{name} batch {batch}: max |onnx - torch| = {maxAbs:E2} (max |output| = {scale:F3})");
            Assert.True(scale > 1e-2, $"{name}: the output is too small ({scale}) for the comparison to mean anything");
            Assert.True(maxAbs <= Tolerance, $"{name} batch {batch}: ONNX Runtime differs from libtorch by {maxAbs:E3} > {Tolerance:E0}");
        }
    }
}
