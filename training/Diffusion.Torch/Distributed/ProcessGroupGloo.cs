using Diffusion.Torch.Native;

namespace Diffusion.Torch.Distributed;

/// <summary>
/// c10d's Gloo process group: collectives on CPU tensors among the ranks of a <see cref="TcpStore"/>. Every rank
/// must call the same collectives in the same order with tensors of the same shape and dtype. A collective that
/// does not complete within the group's timeout, or whose peer closed its connection (a rank that died), throws a
/// <see cref="TorchException"/> with Gloo's message instead of blocking.
/// </summary>
public sealed class ProcessGroupGloo : IDisposable
{
    /// <summary>Joins the group as <paramref name="rank"/> of <paramref name="worldSize"/>.</summary>
    /// <param name="store">The rendezvous store (kept alive by the group).</param>
    /// <param name="rank">This process's rank, 0 to <paramref name="worldSize"/> - 1.</param>
    /// <param name="worldSize">How many ranks the group has.</param>
    /// <param name="timeout">The bound on the group's rendezvous and on every collective.</param>
    /// <param name="interfaceAddress">The address Gloo's transport binds (e.g. 127.0.0.1 for a single-machine job);
    /// null for the interface named by <c>GLOO_SOCKET_IFNAME</c>, else the address this machine's hostname resolves to.</param>
    public ProcessGroupGloo(TcpStore store, int rank, int worldSize, TimeSpan timeout, string? interfaceAddress = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Status.Check(NativeMethods.dt_gloo_new(store.Handle, rank, worldSize, interfaceAddress ?? "", TcpStore.Milliseconds(timeout), out var raw));
        handle = new DistributedHandle(raw, NativeMethods.dt_process_group_free);
        Rank = rank;
        WorldSize = worldSize;
    }

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>How many ranks the group has.</summary>
    public int WorldSize { get; }

    private readonly DistributedHandle handle;

    private DistributedHandle Handle => handle.IsClosed ? throw new ObjectDisposedException(nameof(ProcessGroupGloo), "the process group was disposed") : handle;

    /// <summary>Replaces <paramref name="tensor"/> (contiguous, on the CPU) on every rank by its reduction over the ranks.</summary>
    public void all_reduce_(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Status.Check(NativeMethods.dt_all_reduce_(Handle, tensor.Handle, (int)op));
    }

    /// <summary>Copies <paramref name="tensor"/> of rank <paramref name="root"/> into every rank's <paramref name="tensor"/>.</summary>
    public void broadcast_(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Status.Check(NativeMethods.dt_broadcast_(Handle, tensor.Handle, root));
    }

    /// <summary>Returns once every rank has called it.</summary>
    public void barrier() => Status.Check(NativeMethods.dt_barrier(Handle));

    /// <inheritdoc/>
    public void Dispose() => handle.Dispose();
}
