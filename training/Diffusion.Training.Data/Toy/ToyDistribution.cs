using Diffusion.Training.Data.Sampling;

namespace Diffusion.Training.Data.Toy;

/// <summary>
/// A 2-D distribution defined in code, sampled into a <see cref="Dataset"/> of points shaped
/// [N, 2, 1, 1] (x then y). Point i is drawn from its own stream of the seed, so a larger set
/// starts with the points of a smaller one and the result does not depend on threading.
/// </summary>
public abstract class ToyDistribution
{
    private protected ToyDistribution() { }

    /// <summary>The name the dataset factory knows it by, e.g. "ring".</summary>
    public abstract string Name { get; }

    /// <summary>The interval every coordinate lies in (see each distribution for whether it is exact).</summary>
    public abstract DataRange Range { get; }

    /// <summary>The number of classes its labels take, or 0 when the points are unlabelled.</summary>
    public virtual int ClassCount => 0;

    /// <summary>Draws <paramref name="count"/> points with <paramref name="seed"/>.</summary>
    /// <param name="count">The number of points, at least 1.</param>
    /// <param name="seed">The seed; the same seed gives the same points.</param>
    public Dataset Generate(int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var data = new float[count * 2];
        int[]? labels = ClassCount > 0 ? new int[count] : null;
        for (int i = 0; i < count; i++)
        {
            var random = new SeededRandom(seed, i);
            (double x, double y, int label) = Draw(ref random, i);
            data[2 * i] = (float)x;
            data[2 * i + 1] = (float)y;
            if (labels is not null)
            {
                labels[i] = label;
            }
        }

        return new Dataset(Name, data, [count, 2, 1, 1], Range, labels, ClassCount);
    }

    /// <summary>Draws point <paramref name="index"/> and its label (ignored when <see cref="ClassCount"/> is 0).</summary>
    private protected abstract (double X, double Y, int Label) Draw(ref SeededRandom random, int index);
}
