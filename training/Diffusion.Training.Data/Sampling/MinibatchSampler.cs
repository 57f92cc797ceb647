namespace Diffusion.Training.Data.Sampling;

/// <summary>
/// Draws minibatches of sample indices without replacement within each epoch. The indices form
/// one endless stream, epoch e being a shuffle of 0..N-1 drawn from (seed, e); batch s is the
/// stream's positions [s * B, (s + 1) * B). A batch is therefore a pure function of (seed, step),
/// a batch may span two epochs when B does not divide N, and a sampler resumed at step k
/// (<see cref="SamplerState"/>) continues exactly as the original would have.
/// </summary>
public sealed class MinibatchSampler
{
    private readonly EpochCache cache;

    /// <summary>Creates a sampler positioned at <paramref name="step"/>.</summary>
    /// <param name="datasetSize">N, the number of samples to draw from (at least 1).</param>
    /// <param name="batchSize">B, the indices per batch (at least 1; may exceed N).</param>
    /// <param name="seed">The seed of every epoch's shuffle.</param>
    /// <param name="step">The step of the next batch: 0 for a fresh run, k to resume after k batches.</param>
    public MinibatchSampler(int datasetSize, int batchSize, long seed, long step = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(datasetSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        DatasetSize = datasetSize;
        BatchSize = batchSize;
        Seed = seed;
        Step = step;
        cache = new EpochCache(datasetSize, seed);
    }

    /// <summary>Creates a sampler that continues from <paramref name="state"/>.</summary>
    public static MinibatchSampler Resume(int datasetSize, int batchSize, SamplerState state) =>
        new(datasetSize, batchSize, state.Seed, state.Step);

    /// <summary>N, the number of samples drawn from.</summary>
    public int DatasetSize { get; }

    /// <summary>B, the indices per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The seed of the epoch shuffles.</summary>
    public long Seed { get; }

    /// <summary>The step of the next batch: the number of batches drawn so far.</summary>
    public long Step { get; private set; }

    /// <summary>The epoch the next batch starts in.</summary>
    public long Epoch => Step * BatchSize / DatasetSize;

    /// <summary>The state to store in a checkpoint; <see cref="Resume"/> continues from it.</summary>
    public SamplerState State => new(Seed, Step);

    /// <summary>Draws the next batch into <paramref name="indices"/> (length <see cref="BatchSize"/>) and advances the step.</summary>
    public void Next(Span<int> indices)
    {
        BatchAt(Step, indices);
        Step++;
    }

    /// <summary>Draws the next batch and advances the step.</summary>
    public int[] Next()
    {
        var indices = new int[BatchSize];
        Next(indices);
        return indices;
    }

    /// <summary>The batch of <paramref name="step"/>, without moving the sampler.</summary>
    /// <param name="step">Any step, 0 or more.</param>
    /// <param name="indices">Receives <see cref="BatchSize"/> indices in [0, <see cref="DatasetSize"/>).</param>
    public void BatchAt(long step, Span<int> indices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (indices.Length != BatchSize)
        {
            throw new ArgumentException($"The index buffer holds {indices.Length} indices but a batch has {BatchSize}.", nameof(indices));
        }

        long position = checked(step * BatchSize);
        for (int i = 0; i < indices.Length; i++, position++)
        {
            long epoch = position / DatasetSize;
            indices[i] = cache.Permutation(epoch)[(int)(position % DatasetSize)];
        }
    }

    /// <summary>The last two epochs' shuffles, enough for any batch that spans an epoch boundary.</summary>
    private sealed class EpochCache(int size, long seed)
    {
        private readonly int[]?[] permutations = new int[]?[2];
        private readonly long[] epochs = [-1, -1];

        public int[] Permutation(long epoch)
        {
            int slot = (int)(epoch & 1);
            if (epochs[slot] != epoch || permutations[slot] is null)
            {
                int[] permutation = permutations[slot] ?? new int[size];
                for (int i = 0; i < size; i++)
                {
                    permutation[i] = i;
                }

                new SeededRandom(seed, epoch).Shuffle(permutation);
                permutations[slot] = permutation;
                epochs[slot] = epoch;
            }

            return permutations[slot]!;
        }
    }
}
