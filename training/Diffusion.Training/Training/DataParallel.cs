using System.Diagnostics;
using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Torch;
using Diffusion.Torch.Distributed;

namespace Diffusion.Training.Training;

/// <summary>Where the ranks of a data-parallel run meet: rank 0 hosts c10d's TCP store at
/// <see cref="MasterAddress"/>:<see cref="MasterPort"/>; every rank connects there.</summary>
public sealed record DataParallelOptions
{
    /// <summary>This process's rank, 0 to <see cref="WorldSize"/> - 1; rank 0 writes checkpoints, previews and the loss log.</summary>
    public required int Rank { get; init; }

    /// <summary>How many processes train together.</summary>
    public required int WorldSize { get; init; }

    /// <summary>The address of rank 0's machine, as the other ranks reach it.</summary>
    public required string MasterAddress { get; init; }

    /// <summary>The TCP port of rank 0's store.</summary>
    public required int MasterPort { get; init; }

    /// <summary>The bound on joining the group and on every all-reduce: a rank that hangs longer (or dies) stops the others.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws a <see cref="DiffusionException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (WorldSize < 1) throw new DiffusionException($"data parallelism: the world size must be at least 1, got {WorldSize}.");
        if (Rank < 0 || Rank >= WorldSize) throw new DiffusionException($"data parallelism: rank {Rank} is outside a world of {WorldSize} (ranks run from 0 to {WorldSize - 1}).");
        if (string.IsNullOrWhiteSpace(MasterAddress)) throw new DiffusionException("data parallelism: the master address is empty.");
        if (MasterPort is < 1 or > 65535) throw new DiffusionException($"data parallelism: the master port must lie in 1..65535, got {MasterPort}.");
        if (Timeout <= TimeSpan.Zero) throw new DiffusionException($"data parallelism: the timeout must be positive, got {Timeout}.");
    }
}

/// <summary>A data-parallel collective failed: another rank stopped, hung past the timeout, or the network failed.</summary>
public sealed class DataParallelException(string message, Exception? inner = null) : DiffusionException(message, inner ?? new InvalidOperationException(message));

/// <summary>
/// One rank of a data-parallel run over c10d (<see cref="TcpStore"/> and <see cref="ProcessGroupGloo"/>). Each rank
/// trains on its own shard of every global minibatch; <see cref="AverageGradients"/> replaces every rank's gradients
/// by their mean over the ranks before the optimizer step, so all ranks take the same step as one process on the
/// whole batch would. Every rank must make the same calls in the same order.
/// </summary>
public sealed class DataParallel : IDisposable
{
    private readonly TcpStore store;
    private readonly ProcessGroupGloo group;
    private readonly Stopwatch allReduceClock = new();

    private DataParallel(DataParallelOptions options, TcpStore store, ProcessGroupGloo group)
    {
        Options = options;
        this.store = store;
        this.group = group;
    }

    /// <summary>Joins the group: returns once every rank has joined, or throws after the timeout.</summary>
    /// <exception cref="DataParallelException">The store or the group could not be reached or formed in time.</exception>
    public static DataParallel Join(DataParallelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TcpStore? store = null;
        try
        {
            store = new TcpStore(options.MasterAddress, options.MasterPort, options.WorldSize, options.Rank == 0, options.Timeout);
            // On one machine Gloo binds the loopback address; across machines, the interface the hostname resolves to
            // (or GLOO_SOCKET_IFNAME's).
            string? bind = IsLoopback(options.MasterAddress) ? "127.0.0.1" : null;
            var group = new ProcessGroupGloo(store, options.Rank, options.WorldSize, options.Timeout, bind);
            return new DataParallel(options, store, group);
        }
        catch (TorchException e)
        {
            store?.Dispose();
            throw new DataParallelException(
                $"rank {options.Rank} of {options.WorldSize} could not join the group at {options.MasterAddress}:{options.MasterPort} within {options.Timeout.TotalSeconds:0} s ({Short(e.Message)}): " +
                "start every rank with the same world size, master address and port, rank 0 on the master's machine, and the port open between the machines.", e);
        }
    }

    /// <summary>Where the group met, its size and this rank.</summary>
    public DataParallelOptions Options { get; }

    /// <summary>This process's rank.</summary>
    public int Rank => Options.Rank;

    /// <summary>How many ranks train together.</summary>
    public int WorldSize => Options.WorldSize;

    /// <summary>True on rank 0, the one that writes checkpoints, previews and logs.</summary>
    public bool IsLeader => Rank == 0;

    /// <summary>Time spent in all-reduce calls so far (waiting for the slowest rank included).</summary>
    public TimeSpan AllReduceTime => allReduceClock.Elapsed;

    /// <summary>The rows of a global minibatch of <paramref name="batchSize"/> this rank trains on.</summary>
    /// <exception cref="DiffusionException">The batch does not split evenly over the ranks.</exception>
    public (int Start, int Count) Shard(int batchSize)
    {
        if (batchSize % WorldSize != 0)
        {
            throw new DiffusionException(
                $"a batch of {batchSize} does not split evenly over {WorldSize} ranks: choose a batch size that is a multiple of the world size (e.g. {batchSize - batchSize % WorldSize + WorldSize}).");
        }
        int count = batchSize / WorldSize;
        return (Rank * count, count);
    }

    /// <summary>
    /// Replaces each gradient of <paramref name="parameters"/> by its mean over the ranks, in one all-reduce that also
    /// averages <paramref name="loss"/> and tells whether any rank asked to stop.
    /// </summary>
    /// <param name="parameters">The trained parameters, in the same order on every rank.</param>
    /// <param name="loss">This rank's loss on its shard.</param>
    /// <param name="stopRequested">True when this rank was asked to stop (Ctrl-C, SIGTERM).</param>
    /// <param name="step">The step, for the message of a failure.</param>
    /// <returns>The mean loss over the ranks (the loss of the global batch) and whether any rank asked to stop.</returns>
    /// <exception cref="DataParallelException">Another rank stopped or hung past the timeout.</exception>
    public (double Loss, bool StopRequested) AverageGradients(IReadOnlyList<Parameter> parameters, double loss, bool stopRequested, long step)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Every network here uses all its parameters in every forward pass, so every rank has the same gradients to send;
        // one that has none contributes zeros.
        var grads = new Tensor[parameters.Count];
        var parts = new List<Tensor>(parameters.Count + 1);
        for (int i = 0; i < parameters.Count; i++)
        {
            grads[i] = parameters[i].grad ?? torch.zeros(parameters[i].shape);
            parts.Add(grads[i].flatten());
        }
        parts.Add(torch.tensor([(float)loss, stopRequested ? 1f : 0f], 2));
        var buffer = torch.cat(parts).contiguous();
        Collective(() => group.all_reduce_(buffer, ReduceOp.Sum), $"the gradient all-reduce of step {step}");
        buffer.div_(WorldSize);
        long offset = 0;
        for (int i = 0; i < grads.Length; i++)
        {
            long n = grads[i].numel();
            if (parameters[i].grad is { } g) g.copy_(buffer.narrow(0, offset, n).view(g.shape));
            offset += n;
        }
        float[] tail = buffer.narrow(0, offset, 2).ToArray<float>();
        return (tail[0], tail[1] > 0);
    }

    /// <summary>
    /// Checks that every rank holds the same <paramref name="values"/> (a step, the options that shape a step, a
    /// checksum of the weights) and throws, naming <paramref name="what"/>, when they differ.
    /// </summary>
    /// <exception cref="DataParallelException">The ranks differ, or a rank stopped.</exception>
    public void RequireSame(double[] values, string what, string fix)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var scope = torch.NewDisposeScope();
        var max = torch.tensor(values, values.Length);
        var min = torch.tensor(values, values.Length);
        Collective(() => group.all_reduce_(max, ReduceOp.Max), $"the check of {what}");
        Collective(() => group.all_reduce_(min, ReduceOp.Min), $"the check of {what}");
        double[] hi = max.ToArray<double>(), lo = min.ToArray<double>();
        for (int i = 0; i < values.Length; i++)
        {
            if (hi[i] != lo[i])
            {
                throw new DataParallelException(string.Create(CultureInfo.InvariantCulture,
                    $"the ranks hold different {what} (value {i}: {lo[i]} to {hi[i]}; rank {Rank} has {values[i]}): {fix}"));
            }
        }
    }

    private void Collective(Action call, string what)
    {
        allReduceClock.Start();
        try
        {
            call();
        }
        catch (TorchException e)
        {
            throw new DataParallelException(
                $"rank {Rank} of {WorldSize}: {what} failed ({Short(e.Message)}): another rank stopped (its own message says why), hung for longer than the {Options.Timeout.TotalSeconds:0} s timeout, or the network between the ranks failed.", e);
        }
        finally
        {
            allReduceClock.Stop();
        }
    }

    private static bool IsLoopback(string address) =>
        address is "localhost" || System.Net.IPAddress.TryParse(address, out var ip) && System.Net.IPAddress.IsLoopback(ip);

    /// <summary>Gloo's and c10d's messages, without their source locations and on one line.</summary>
    private static string Short(string message)
    {
        string line = message.ReplaceLineEndings(" ").Trim();
        return line.Length > 300 ? line[..300] + "..." : line;
    }

    /// <summary>Leaves the group.</summary>
    public void Dispose()
    {
        group.Dispose();
        store.Dispose();
    }
}
