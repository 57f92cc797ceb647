using Diffusion.Training.Classification;
using Diffusion.Training.Tests.Trainer;

namespace Diffusion.Training.Tests.Classification;

/// <summary>Dropout draws from the global generator, which the trainer reseeds every step: run alone (see <see cref="ProcessWideTorchState"/>).</summary>
[Collection(nameof(ProcessWideTorchState))]
public class ClassifierDeterminismTests(MnistDigits mnist) : IClassFixture<MnistDigits>
{
    [Fact]
    public void TheSameSeedTrainsTheSameWeightsAndAnotherSeedOthers()
    {
        float[] Weights(ulong seed)
        {
            using var trainer = new ClassifierTrainer(MnistDigits.Small with { Dropout = 0.2 }, mnist.Thousand, MnistDigits.Short(4) with { Seed = seed });
            trainer.Train();
            return [.. trainer.Network.parameters().SelectMany(p => p.ToArray<float>())];
        }
        var first = Weights(1);
        Assert.Equal(first, Weights(1));
        Assert.NotEqual(first, Weights(2));
    }
}
