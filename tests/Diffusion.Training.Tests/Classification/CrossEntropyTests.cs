using Diffusion.Torch;
using Diffusion.Training.Classification;

namespace Diffusion.Training.Tests.Classification;

public class CrossEntropyTests
{
    [Fact]
    public void TheLossIsTheMeanNegativeLogSoftmaxAtTheLabels()
    {
        float[] logits = [1, 2, 3, 0.5f, -1, 4, 0, 0, 0];
        int[] labels = [2, 0, 1];
        using var loss = CrossEntropy.Loss(torch.FromData<float>(logits, [3, 3]), labels);

        double expected = 0;
        for (int i = 0; i < 3; i++)
        {
            var row = logits.AsSpan(3 * i, 3).ToArray();
            double logSum = Math.Log(row.Sum(v => Math.Exp(v)));
            expected += logSum - row[labels[i]];
        }
        expected /= 3;
        Assert.Equal(expected, loss.item<double>(), 1e-6);
    }

    [Fact]
    public void ALabelOutsideTheClassesIsRefusedNamingIt()
    {
        using var logits = torch.zeros(2, 3);
        var error = Assert.Throws<ArgumentException>(() => CrossEntropy.Loss(logits, [0, 3]));
        Assert.Contains("label 3", error.Message);
    }
}
