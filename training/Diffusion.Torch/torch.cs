using Diffusion.Torch.Native;

namespace Diffusion.Torch;

/// <summary>Entry point of the binding, shaped like TorchSharp's <c>torch</c>: creation functions, global state, scopes.</summary>
public static partial class torch
{
    /// <summary>Seeds the global generator (used when no <see cref="Generator"/> is passed).</summary>
    public static void manual_seed(ulong seed) => Status.Check(NativeMethods.dt_manual_seed(seed));

    /// <summary>Sets the number of threads libtorch uses inside one operation.</summary>
    public static void set_num_threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"thread count must be at least 1, got {threads}");
        Status.Check(NativeMethods.dt_set_num_threads(threads));
    }

    /// <summary>The number of threads libtorch uses inside one operation.</summary>
    public static int get_num_threads()
    {
        Status.Check(NativeMethods.dt_get_num_threads(out int threads));
        return threads;
    }

    /// <summary>
    /// Makes the C heap keep the memory that tensors free instead of handing it back to the kernel, which would
    /// fault it in again, page by page, at the next training step (with glibc's defaults a quarter of a UNet
    /// training process's CPU time went to the kernel this way). The process keeps its peak footprint. Call it
    /// once, before training; it affects every allocation of the process. Returns false where the C library is
    /// not glibc, where it does nothing.
    /// </summary>
    public static bool keep_freed_memory()
    {
        Status.Check(NativeMethods.dt_keep_freed_memory(out int applied));
        return applied != 0;
    }

    /// <summary>Disables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope no_grad() => new(enabled: false);

    /// <summary>Enables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope enable_grad() => new(enabled: true);

    /// <summary>Whether gradient recording is on for this thread.</summary>
    public static bool is_grad_enabled()
    {
        Status.Check(NativeMethods.dt_is_grad_enabled(out int enabled));
        return enabled != 0;
    }

    /// <summary>Starts a scope that disposes every tensor created on this thread until it ends (unless moved out).</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Native tensor handles currently alive (created and not yet disposed): a leak detector.</summary>
    public static long LiveTensorCount => NativeMethods.dt_live_tensors();

    /// <summary>Tensors garbage-collected without being disposed; their native memory was leaked on purpose
    /// rather than freed from the finalizer thread.</summary>
    public static long LeakedTensorCount => TensorHandle.LeakedCount;
}
