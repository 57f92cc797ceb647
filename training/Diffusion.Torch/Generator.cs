using Diffusion.Torch.Native;

namespace Diffusion.Torch;

/// <summary>A seeded random-number generator (libtorch's CPU generator) for reproducible sampling and initialisation.</summary>
public sealed class Generator : IDisposable
{
    /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed)
    {
        Status.Check(NativeMethods.dt_generator_new(seed, out var raw));
        Handle = new GeneratorHandle(raw);
        Seed = seed;
    }

    /// <summary>The seed this generator was created with.</summary>
    public ulong Seed { get; }

    internal GeneratorHandle Handle { get; }

    internal static GeneratorHandle HandleOf(Generator? generator) =>
        generator is null ? GeneratorHandle.Global
        : generator.Handle.IsClosed ? throw new ObjectDisposedException(nameof(Generator), "the generator was disposed")
        : generator.Handle;

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
