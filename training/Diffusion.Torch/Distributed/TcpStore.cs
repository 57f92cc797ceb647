using Diffusion.Torch.Native;

namespace Diffusion.Torch.Distributed;

/// <summary>
/// c10d's <c>TCPStore</c>: the key-value store through which the ranks of a job find each other. Rank 0 hosts it
/// (<c>isServer</c>), every rank connects to <c>host:port</c>; construction returns once all
/// <c>worldSize</c> ranks have joined, or throws a <see cref="TorchException"/> after <c>timeout</c>.
/// </summary>
public sealed class TcpStore : IDisposable
{
    /// <summary>Creates (rank 0) or joins (the others) the store at <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">The address of the rank hosting the store.</param>
    /// <param name="port">Its TCP port.</param>
    /// <param name="worldSize">How many ranks the job has.</param>
    /// <param name="isServer">True on the one rank that hosts the store.</param>
    /// <param name="timeout">How long to wait for the store and for the other ranks.</param>
    public TcpStore(string host, int port, int worldSize, bool isServer, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        Status.Check(NativeMethods.dt_tcp_store_new(host, port, worldSize, isServer ? 1 : 0, Milliseconds(timeout), out var raw));
        Handle = new DistributedHandle(raw, NativeMethods.dt_store_free);
        Host = host;
        Port = port;
    }

    /// <summary>The address of the rank hosting the store.</summary>
    public string Host { get; }

    /// <summary>The store's TCP port.</summary>
    public int Port { get; }

    internal DistributedHandle Handle { get; }

    internal static long Milliseconds(TimeSpan timeout) => timeout > TimeSpan.Zero
        ? (long)Math.Ceiling(timeout.TotalMilliseconds)
        : throw new ArgumentOutOfRangeException(nameof(timeout), $"a timeout must be positive, got {timeout}");

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
